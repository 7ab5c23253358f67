import { FAILURE_TITLES, type FailureKind, type JiraError } from '../jira/errors.js'

/** What happened to one issue. `skipped`: not attempted after Jira refused the credentials. */
export type Outcome = 'updated' | 'unchanged' | 'dry-run' | 'skipped' | FailureKind

/** The action's `result` output: the run as a whole. */
export type RunResult =
  | 'updated'
  | 'unchanged'
  | 'dry-run'
  | 'no-issues'
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
}

// The run's result names the failure a user must deal with first: a lockout or bad
// credentials block every issue, a missing permission or issue only some.
const PRIORITY: RunResult[] = ['captcha', 'unauthorized', 'forbidden', 'error', 'not-found', 'invalid']

/** Folds per-issue results into the outputs: updated, unchanged and failed keys and one result. */
export function summarizeResults(results: IssueResult[]): RunReport {
  const keysWith = (test: (outcome: Outcome) => boolean): string[] => results.filter(r => test(r.outcome)).map(r => r.issueKey)
  const kinds = new Set<RunResult>(results.map(r => runResultOf(r.outcome)))
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
export function failedRun(error: JiraError, result: RunResult): RunReport {
  return { results: [], updated: [], unchanged: [], failed: [], result, error }
}

function runResultOf(outcome: Outcome): RunResult {
  switch (outcome) {
    case 'network':
    case 'skipped':
      return 'error'
    default:
      return outcome
  }
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
      return `${result.issueKey}: skipped, not attempted after Jira refused the credentials on an earlier request (more attempts would add to the failed-login count)`
    default:
      return `${result.issueKey}: ${result.error?.message ?? result.outcome}`
  }
}

/** The annotation title for a failed result. */
export function resultTitle(result: IssueResult): string {
  if (result.outcome === 'skipped') return `Not attempted (${result.issueKey})`
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
    for (const key of ['value', 'name', 'id', 'accountId']) if (typeof record[key] === 'string') return record[key] as string
    return JSON.stringify(value)
  }
  return String(value)
}
