/**
 * Pinpoints a signature_invalid: Jira sends the base string it computed, so comparing it part
 * by part with the one the request was signed over says which part differs. Pure.
 */

/** What differs between the base string signed and the one Jira computed. */
export type SignatureVerdict =
  | { differs: 'method'; ours: string; theirs: string }
  | { differs: 'url'; ours: string; theirs: string }
  | { differs: 'parameter'; name: string; ours?: string; theirs?: string }
  | { differs: 'nothing' }

// Parameters whose values are secrets or prove possession of one: named, never shown.
const HIDDEN_VALUES = new Set(['oauth_token', 'oauth_verifier', 'oauth_signature'])

interface BaseStringParts {
  method: string
  url: string
  params: Map<string, string[]>
}

/** Splits `METHOD&enc(url)&enc(params)` into its parts, decoded; undefined when it is not one. */
export function parseBaseString(baseString: string): BaseStringParts | undefined {
  const [method, url, params, ...rest] = baseString.trim().split('&')
  if (rest.length > 0 || params === undefined) return undefined
  try {
    const pairs = new Map<string, string[]>()
    const normalized = decodeURIComponent(params)
    for (const pair of normalized === '' ? [] : normalized.split('&')) {
      const at = pair.indexOf('=')
      const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at))
      const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1))
      pairs.set(name, [...(pairs.get(name) ?? []), value])
    }
    return { method, url: decodeURIComponent(url), params: pairs }
  } catch {
    return undefined
  }
}

/** Compares the base string this request was signed over with Jira's own. */
export function compareBaseStrings(ours: string, theirs: string): SignatureVerdict | undefined {
  const mine = parseBaseString(ours)
  const jira = parseBaseString(theirs)
  if (!mine || !jira) return undefined
  if (mine.method !== jira.method) return { differs: 'method', ours: mine.method, theirs: jira.method }
  if (mine.url !== jira.url) return { differs: 'url', ours: mine.url, theirs: jira.url }
  const names = [...new Set([...mine.params.keys(), ...jira.params.keys()])].sort()
  for (const name of names) {
    const a = (mine.params.get(name) ?? []).join(', ')
    const b = (jira.params.get(name) ?? []).join(', ')
    if (a === b) continue
    const shown = (present: boolean, value: string): string | undefined => (!present ? undefined : HIDDEN_VALUES.has(name) ? '***' : value)
    return { differs: 'parameter', name, ours: shown(mine.params.has(name), a), theirs: shown(jira.params.has(name), b) }
  }
  return { differs: 'nothing' }
}

/**
 * The base URL Jira knows itself by, from the URL it signed over: the request's path under
 * jira-url taken off the end. Undefined when the paths do not line up.
 */
export function jiraBaseUrlFrom(theirUrl: string, ourUrl: string, ourBaseUrl: string): string | undefined {
  try {
    const suffix = new URL(ourUrl).pathname.slice(new URL(ourBaseUrl).pathname.replace(/\/$/, '').length)
    if (suffix === '' || !theirUrl.endsWith(suffix)) return undefined
    return theirUrl.slice(0, -suffix.length)
  } catch {
    return undefined
  }
}
