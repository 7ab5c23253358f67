import { FAILURE_TITLES, JiraError, type FailureKind } from '../jira/errors.js'

/**
 * What happened to one issue. `skipped`: not attempted after a failure that every further
 * request would repeat; `cancelled`: not finished when the run was cancelled.
 */
export type Outcome = 'updated' | 'unchanged' | 'dry-run' | 'skipped' | 'cancelled' | FailureKind

/** The action's `result` output: the run as a whole. */
export type RunResult =
  | 'updated'
  | 'unchanged'
  | 'dry-run'
  | 'no-issues'
  | 'no-credentials'
  | 'cancelled'
  | 'captcha'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'invalid'
  | 'error'

/** Outcomes that leave the issue as asked. */
export function succeeded(outcome: Outcome): boolean {
  return outcome === 'updated' || outcome === 'unchanged' || outcome === 'dry-run'
}

export interface IssueResult {
  issueKey: string
  outcome: Outcome
  /** The fields sent (or that would be sent), as Jira receives them. */
  fields?: Record<string, unknown>
  error?: JiraError
}

export interface RunReport {
  results: IssueResult[]
  updated: string[]
  unchanged: string[]
  failed: string[]
  result: RunResult
  /** A failure of the run as a whole: no issue found, or the JQL or field lookup refused. */
  error?: JiraError
  /** The field as the user named it, with its id when a name was resolved. */
  field?: string
  /** The value the run set or tried to set, as the user wrote it (mapped and filled). */
  value?: string
}

// The run's result names the failure a user must deal with first: a cancel or lockout or bad
// credentials block every issue, a missing permission or issue only some.
const PRIORITY: RunResult[] = ['cancelled', 'captcha', 'unauthorized', 'forbidden', 'error', 'not-found', 'invalid']

/** Folds per-issue results into the outputs: updated, unchanged and failed keys and one result. */
export function summarizeResults(results: IssueResult[]): RunReport {
  const keysWith = (test: (outcome: Outcome) => boolean): string[] => results.filter(r => test(r.outcome)).map(r => r.issueKey)
  // A skipped issue follows from another's failure: that failure names the run.
  const kinds = new Set<RunResult>(results.map(r => runResultOf(r.outcome)).filter((_, i) => results[i].outcome !== 'skipped'))
  if (results.some(r => r.outcome === 'skipped') && !PRIORITY.some(kind => kinds.has(kind))) kinds.add('error')
  const result =
    PRIORITY.find(kind => kinds.has(kind)) ??
    (kinds.has('dry-run') ? 'dry-run' : kinds.has('updated') ? 'updated' : kinds.has('unchanged') ? 'unchanged' : 'no-issues')
  return {
    results,
    updated: keysWith(outcome => outcome === 'updated'),
    unchanged: keysWith(outcome => outcome === 'unchanged'),
    failed: keysWith(outcome => !succeeded(outcome)),
    result
  }
}

/** The report of a run that failed before any issue: no issue found, or a lookup refused. */
export function failedRun(error: JiraError, result: RunResult, described: { field?: string; value?: string } = {}): RunReport {
  return { results: [], updated: [], unchanged: [], failed: [], result, error, ...described }
}

/** The report of a run that sent nothing because no credential was configured. */
export function noCredentialsRun(message: string): RunReport {
  return failedRun(new JiraError('error', message, ''), 'no-credentials')
}

/** The annotation title of a failure of the run as a whole. */
export function runErrorTitle(result: RunResult): string {
  return result === 'no-issues' ? 'No Jira issue found' : result === 'no-credentials' ? 'No Jira credentials' : 'Jira request failed'
}

/** The run result an issue's outcome counts as. */
export function runResultOf(outcome: Outcome): RunResult {
  switch (outcome) {
    case 'network':
    case 'skipped':
      return 'error'
    case 'wrong-url':
      return 'invalid'
    default:
      return outcome
  }
}

/** The verdict both front ends render: whether the run failed, and its headline. */
export interface Verdict {
  failed: boolean
  headline: string
}

/** Decides, once for the action and the CLI, whether a run failed and what to say of it. */
export function verdictOf(report: RunReport): Verdict {
  const failures = report.results.filter(result => !succeeded(result.outcome))
  if (report.error) {
    const what = report.result === 'no-credentials' ? 'nothing was sent to Jira' : 'no issue updated'
    return { failed: true, headline: `result=${report.result}: ${what}` }
  }
  if (failures.length > 0) return { failed: true, headline: `result=${report.result}: ${failures.length} of ${report.results.length} issue(s) not updated` }
  const written = report.result === 'dry-run' ? ', nothing written (dry run)' : ''
  return { failed: false, headline: `result=${report.result}: ${report.updated.length} updated, ${report.unchanged.length} unchanged${written}` }
}

/** Exit codes: 0 done, 1 Jira refused or failed, 2 bad usage or bad input, 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const

/**
 * The exit code of an update run: failures count only when fail-on-error is on, but a
 * cancelled run did not do what it was asked, whatever fail-on-error says.
 */
export function exitCodeOf(report: RunReport, failOnError: boolean): number {
  if (report.result === 'cancelled') return EXIT.cancelled
  if (!verdictOf(report).failed || !failOnError) return EXIT.ok
  return report.result === 'no-credentials' ? EXIT.usage : EXIT.failed
}

/** One line that says what happened to an issue and, for a failure, what to do. */
export function describeResult(result: IssueResult): string {
  switch (result.outcome) {
    case 'updated':
      return `${result.issueKey}: updated ${describeFields(result.fields)}`
    case 'unchanged':
      return `${result.issueKey}: unchanged, ${describeFields(result.fields)} already`
    case 'dry-run':
      return `${result.issueKey}: would update ${describeFields(result.fields)} (dry run)`
    case 'skipped':
      return `${result.issueKey}: skipped, not attempted after an earlier request failed in a way every request would (more attempts could add to the failed-login count)`
    case 'cancelled':
      return `${result.issueKey}: cancelled before it finished`
    default:
      return `${result.issueKey}: ${result.error?.message ?? result.outcome}`
  }
}

/** The annotation title for a failed result. */
export function resultTitle(result: IssueResult): string {
  if (result.outcome === 'skipped' || result.outcome === 'cancelled') return `Not attempted (${result.issueKey})`
  const kind = result.error?.kind ?? 'error'
  return `${FAILURE_TITLES[kind]} (${result.issueKey})`
}

/** The fields of a result as `name = value` pairs for people. */
export function describeFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return ''
  return Object.entries(fields)
    .map(([name, value]) => `${name} = ${displayValue(value)}`)
    .join(', ')
}

/** A field value as people write it: option values unwrapped, lists joined. */
export function displayValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(displayValue).join(', ')
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const key of ['value', 'name', 'id', 'accountId']) if (typeof record[key] === 'string') return record[key]
    return JSON.stringify(value)
  }
  return String(value)
}
