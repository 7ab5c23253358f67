/** Values a template may use, filled by the edge from GitHub's or Jenkins' environment. */
export type TemplateValues = Partial<Record<'status' | 'run_url' | 'run_number' | 'sha' | 'ref' | 'workflow' | 'repository', string>>

export const TEMPLATE_NAMES = ['status', 'run_url', 'run_number', 'sha', 'ref', 'workflow', 'repository'] as const

// Jenkins' build results that have no entry of their own fall back, in order, to these: a
// build stopped before it ran (NOT_BUILT) reads like an aborted one, and both like GitHub's
// cancelled; an unstable build (failed tests) like a failure.
const FALLBACKS: Record<string, readonly string[]> = {
  aborted: ['cancelled'],
  not_built: ['aborted', 'cancelled'],
  unstable: ['failure']
}

/** Parses `success=Build Passed, failure=Build Failed` into a map keyed by lower-case status. */
export function parseValueMap(text: string): { map: Map<string, string>; malformed: string[] } {
  const map = new Map<string, string>()
  const malformed: string[] = []
  for (const entry of text.split(/[,\n]/)) {
    if (entry.trim() === '') continue
    const at = entry.indexOf('=')
    const status = at < 0 ? '' : entry.slice(0, at).trim().toLowerCase()
    const value = at < 0 ? '' : entry.slice(at + 1).trim()
    if (status === '' || value === '') malformed.push(entry.trim())
    else map.set(status, value)
  }
  return { map, malformed }
}

/**
 * The value for a build status: the map's entry for it, or when the status is Jenkins' and has
 * none, the entry of the status it reads like (ABORTED → cancelled; NOT_BUILT → aborted, then
 * cancelled; UNSTABLE → failure).
 */
export function mapStatus(status: string, map: Map<string, string>): string | undefined {
  for (const name of statusNames(status)) if (map.has(name)) return map.get(name)
  return undefined
}

/**
 * The names a build status answers to, most specific first: as written (lower case), then the
 * statuses a Jenkins result reads like (UNSTABLE → unstable, failure; NOT_BUILT → not_built,
 * aborted, cancelled).
 */
export function statusNames(status: string): string[] {
  const key = status.trim().toLowerCase()
  return [key, ...(FALLBACKS[key] ?? [])]
}

/**
 * Fills {status}, {run_url} and the other known placeholders. Returns the text and the
 * placeholders it uses that this run cannot fill. Unknown braces stay as written.
 */
export function fillTemplate(text: string, values: TemplateValues): { text: string; missing: string[] } {
  const missing: string[] = []
  const filled = text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) return whole
    const value = values[name as keyof TemplateValues]
    if (value === undefined || value === '') {
      missing.push(name)
      return whole
    }
    return value
  })
  return { text: filled, missing }
}
