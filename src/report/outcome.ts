import { FAILURE_TITLES, type FailureKind, type JiraError } from '../jira/errors.js'

/** What happened to one issue. */
export type Outcome = 'updated' | 'dry-run' | 'not-attempted' | FailureKind

/** The action's `result` output: the run as a whole. */
export type RunResult = 'updated' | 'dry-run' | 'captcha' | 'unauthorized' | 'forbidden' | 'not-found' | 'invalid' | 'error'

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
  failed: string[]
  result: RunResult
}

// The run's result names the failure a user must deal with first: a lockout or bad
// credentials block every issue, a missing permission or issue only some.
const PRIORITY: RunResult[] = ['captcha', 'unauthorized', 'forbidden', 'error', 'not-found', 'invalid']

/** Folds per-issue results into the outputs: updated keys, failed keys and one result. */
export function summarizeResults(results: IssueResult[]): RunReport {
  const updated = results.filter(r => r.outcome === 'updated').map(r => r.issueKey)
  const failed = results.filter(r => r.outcome !== 'updated' && r.outcome !== 'dry-run').map(r => r.issueKey)
  const kinds = new Set<RunResult>(results.map(r => runResultOf(r.outcome)))
  const result = PRIORITY.find(kind => kinds.has(kind)) ?? (kinds.has('dry-run') ? 'dry-run' : 'updated')
  return { results, updated, failed, result }
}

function runResultOf(outcome: Outcome): RunResult {
  switch (outcome) {
    case 'network':
    case 'not-attempted':
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
    case 'dry-run':
      return `${result.issueKey}: would update ${describeFields(result.fields)} (dry run)`
    case 'not-attempted':
      return `${result.issueKey}: not attempted, after Jira refused the credentials on an earlier request (more attempts would add to the failed-login count)`
    default:
      return `${result.issueKey}: ${result.error?.message ?? result.outcome}`
  }
}

/** The annotation title for a failed result. */
export function resultTitle(result: IssueResult): string {
  if (result.outcome === 'not-attempted') return `Not attempted (${result.issueKey})`
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
