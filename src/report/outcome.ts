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

/**
 * What happened to one change on one issue. Writes: `set` (a field's value), `added` and
 * `removed` (items of a list field; a remote link added), `updated` (a remote link that was
 * there), `posted` (a comment). `unchanged`: the field already held it, nothing sent.
 * `dry-run`: would be sent. `skipped`: not sent, and why. `failed`: refused or lost, and why.
 */
export type ChangeOutcome = 'set' | 'added' | 'removed' | 'updated' | 'posted' | 'unchanged' | 'dry-run' | 'skipped' | 'failed'

/** Change outcomes that wrote to Jira. */
export const WRITE_OUTCOMES: ReadonlySet<ChangeOutcome> = new Set<ChangeOutcome>(['set', 'added', 'removed', 'updated', 'posted'])

/** What a change does: a field's value or items, the remote link, or the comment. */
export type ChangeAction = 'set' | 'add' | 'remove' | 'link' | 'comment'

/** One change on one issue and its outcome, for the summary, the log and --json. */
export interface ChangeResult {
  /** What it changes: the field as the user named it (with its id when a name was resolved), "remote link" or "comment". */
  target: string
  /** Where it was asked for: "input 'set' line 2", "input 'field'", "input 'fields'"… */
  origin: string
  action: ChangeAction
  /** The value or item as people read it; the link's title; the comment's text. */
  value?: string
  outcome: ChangeOutcome
  /** Why, for `skipped` and `failed`. */
  reason?: string
}

export interface IssueResult {
  issueKey: string
  /** The issue as a whole: `updated` when anything was written and nothing failed. */
  outcome: Outcome
  /** Each change asked for, with its own outcome; empty when the issue was not attempted. */
  changes: ChangeResult[]
  error?: JiraError
}

/** Whether anything was written to the issue, even when a later change failed. */
export function wrote(result: IssueResult): boolean {
  return result.changes.some(change => WRITE_OUTCOMES.has(change.outcome))
}

export interface RunReport {
  results: IssueResult[]
  updated: string[]
  unchanged: string[]
  failed: string[]
  result: RunResult
  /** A failure of the run as a whole: no issue found, or the JQL or field lookup refused. */
  error?: JiraError
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
    // Any write counts, so a later step knows which issues Jira changed, even partly.
    updated: results.filter(wrote).map(r => r.issueKey),
    unchanged: keysWith(outcome => outcome === 'unchanged'),
    failed: keysWith(outcome => !succeeded(outcome)),
    result
  }
}

/** The report of a run that failed before any issue: no issue found, or a lookup refused. */
export function failedRun(error: JiraError, result: RunResult): RunReport {
  return { results: [], updated: [], unchanged: [], failed: [], result, error }
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

/** One line that says what happened to an issue and to each change, and for a failure what to do. */
export function describeResult(result: IssueResult): string {
  const changes = result.changes.map(describeChange).join(', ')
  switch (result.outcome) {
    case 'updated':
      return `${result.issueKey}: updated ${changes}`
    case 'unchanged':
      return `${result.issueKey}: unchanged, ${changes}`
    case 'dry-run':
      return `${result.issueKey}: would update ${changes} (dry run)`
    case 'skipped':
      return `${result.issueKey}: skipped, not attempted after an earlier request failed in a way every request would (more attempts could add to the failed-login count)`
    case 'cancelled':
      return `${result.issueKey}: cancelled before it finished${written(result)}`
    default:
      return `${result.issueKey}: ${result.error?.message ?? result.outcome}${written(result)}`
  }
}

/** What was written to an issue that then failed or was cancelled: a later step may need to know. */
function written(result: IssueResult): string {
  const writes = result.changes.filter(change => WRITE_OUTCOMES.has(change.outcome)).map(describeChange)
  return writes.length > 0 ? ` Already written: ${writes.join(', ')}.` : ''
}

/** How a change reads: "Build Result = Build Passed", "Labels += ci-success", "remote link \"Build #57\"". */
export function changeText(change: ChangeResult): string {
  const value = change.value ?? ''
  switch (change.action) {
    case 'set':
      return `${change.target} = ${value}`
    case 'add':
      return `${change.target} += ${value}`
    case 'remove':
      return `${change.target} -= ${value}`
    case 'link':
      return `remote link "${value}"`
    case 'comment':
      return 'comment'
  }
}

/** A change and its outcome for people, e.g. "Labels += ci-success", "comment posted", "Labels -= x (not there)". */
export function describeChange(change: ChangeResult): string {
  const text = changeText(change)
  const why = change.reason ? ` (${change.reason})` : ''
  switch (change.outcome) {
    case 'unchanged':
      return change.action === 'remove' ? `${text} (not there)` : `${text} already`
    case 'set':
    case 'dry-run':
      return change.action === 'comment' ? `${text} to post` : text
    case 'added':
    case 'removed':
      return change.action === 'link' ? `${text} ${change.outcome}` : text
    default:
      return `${text} ${change.outcome}${why}`
  }
}

/** The annotation title for a failed result. */
export function resultTitle(result: IssueResult): string {
  if (result.outcome === 'skipped' || result.outcome === 'cancelled') return `Not attempted (${result.issueKey})`
  const kind = result.error?.kind ?? 'error'
  return `${FAILURE_TITLES[kind]} (${result.issueKey})`
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
