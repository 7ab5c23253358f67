import { ISSUE_KEY } from './keys.js'

/** Where issue keys may be found in a build's context. */
export type IssueSource = 'pr-title' | 'branch' | 'commits'

export const ISSUE_SOURCES: IssueSource[] = ['pr-title', 'branch', 'commits']

/** A piece of the build's context that may name issues, and where it came from. */
export interface SourceText {
  source: IssueSource
  text: string
}

// Shapes of a key that are usually something else: encodings, hashes, standards.
const LOOK_ALIKES = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'AES', 'RSA', 'MD', 'TLS', 'HTTP', 'X', 'CVE', 'PR'])

/**
 * Finds issue keys in branch names, titles and commit messages: upper-cased, in first-seen
 * order, without duplicates. With `projects`, only keys of those projects count; without,
 * look-alikes such as UTF-8 and SHA-256 are ignored.
 */
export function findIssueKeys(texts: SourceText[], sources: IssueSource[] = ISSUE_SOURCES, projects: string[] = []): string[] {
  const wanted = new Set(projects.map(project => project.toUpperCase()))
  const keys: string[] = []
  // A Set beside the list: a push's commits can name many keys, and includes() would be quadratic.
  const seen = new Set<string>()
  for (const { source, text } of texts) {
    if (!sources.includes(source)) continue
    // Keys stand between non-alphanumerics: "feature/ci-42-login" and "[CI-42]" both name CI-42.
    for (const match of text.matchAll(/(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]+)-([1-9]\d*)(?![A-Za-z0-9])/g)) {
      const project = match[1].toUpperCase()
      const key = `${project}-${match[2]}`
      if (!ISSUE_KEY.test(key)) continue
      if (wanted.size > 0 ? !wanted.has(project) : LOOK_ALIKES.has(project)) continue
      if (seen.has(key)) continue
      seen.add(key)
      keys.push(key)
    }
  }
  return keys
}

/** Says where keys were looked for, for the message when none is found. */
export function describeSources(texts: SourceText[], sources: IssueSource[], projects: string[]): string {
  const looked = texts.filter(t => sources.includes(t.source))
  const places =
    looked.length === 0
      ? `nothing to look in (sources: ${sources.join(', ')})`
      : looked.map(t => `${t.source} "${t.text.split('\n')[0].slice(0, 80)}"`).join(', ')
  return `${places}${projects.length > 0 ? `, for projects ${projects.join(', ')}` : ''}`
}
