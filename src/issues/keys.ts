/**
 * A Jira issue key: a project key (an ASCII letter, then letters, digits or _) and a number of
 * at most 10 digits. Keys go into request paths, so nothing else passes.
 */
export const ISSUE_KEY = /^[A-Z][A-Z0-9_]{1,49}-[1-9]\d{0,9}$/

/** The same shape before upper-casing, so that no letter outside ASCII can become one inside. */
const WRITTEN_KEY = /^[A-Za-z][A-Za-z0-9_]{1,49}-[1-9]\d{0,9}$/

/**
 * Splits a list of issue keys written by a person (commas, spaces or newlines between) into
 * upper-cased, deduplicated keys in their order. Returns the keys and the items that are not
 * shaped like a key, so the caller can name them.
 */
export function parseIssueKeyList(text: string): { keys: string[]; malformed: string[] } {
  const keys: string[] = []
  const malformed: string[] = []
  const seen = new Set<string>()
  for (const item of text.split(/[\s,;]+/)) {
    if (item === '') continue
    const key = item.toUpperCase()
    if (!WRITTEN_KEY.test(item) || !ISSUE_KEY.test(key)) malformed.push(item)
    else if (!seen.has(key)) {
      seen.add(key)
      keys.push(key)
    }
  }
  return { keys, malformed }
}
