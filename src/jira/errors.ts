/**
 * How a failure is classed; the first six are also the action's `result` output values.
 * `wrong-url`: what answered is not Jira's REST API (reported as `invalid`, like bad input).
 */
export type FailureKind = 'captcha' | 'unauthorized' | 'forbidden' | 'not-found' | 'invalid' | 'error' | 'network' | 'wrong-url'

/** Headline for each kind, used as the annotation title. */
export const FAILURE_TITLES: Record<FailureKind, string> = {
  captcha: 'Jira CAPTCHA lockout',
  unauthorized: 'Jira refused the credentials',
  forbidden: 'Jira forbade the request',
  'not-found': 'Jira issue not found',
  invalid: 'Jira rejected the value',
  error: 'Jira request failed',
  network: 'Jira could not be reached',
  'wrong-url': 'jira-url is not Jira'
}

/** Kinds after which every further request would fail the same way, or deepen a lockout. */
export const HALTING_KINDS: ReadonlySet<FailureKind> = new Set<FailureKind>(['captcha', 'unauthorized', 'wrong-url'])

export interface JiraErrorDetails {
  issueKey?: string
  status?: number
  oauthProblem?: string
  loginReason?: string
  loginUrl?: string
  /** Extra text for debug output only, already free of secrets. */
  debug?: string
  /** A request that must not arrive twice failed after it may have arrived: Jira may have done it. */
  mayHaveArrived?: boolean
}

/**
 * A failure a user can act on: its kind, what happened and the remedy. The message never
 * carries a secret.
 */
export class JiraError extends Error {
  readonly details: JiraErrorDetails

  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    readonly remedy: string,
    details: JiraErrorDetails = {}
  ) {
    super(remedy ? `${reason} ${remedy}` : reason)
    this.name = 'JiraError'
    this.details = details
  }

  get issueKey(): string | undefined {
    return this.details.issueKey
  }

  /** The same failure, said of one issue. */
  forIssue(issueKey: string): JiraError {
    return new JiraError(this.kind, this.reason, this.remedy, { ...this.details, issueKey })
  }
}

/** Thrown instead of sending a request once the run was stopped: a halt or a cancel. */
export class Stopped extends Error {
  constructor(
    readonly why?: unknown,
    /** The request was in flight and must not arrive twice: Jira may have done it. */
    readonly mayHaveArrived = false
  ) {
    super('stopped before the request was sent')
    this.name = 'Stopped'
  }
}

/** The one place that turns anything thrown into a line of text, non-Error throws included. */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message
  if (typeof thrown === 'string') return thrown
  try {
    return JSON.stringify(thrown) ?? String(thrown)
  } catch {
    return String(thrown)
  }
}

/** The error code Node or a library put on a thrown value (ECONNRESET, ENOENT, …), if any. */
export function codeOf(thrown: unknown): string | undefined {
  if (typeof thrown !== 'object' || thrown === null || !('code' in thrown)) return undefined
  const { code } = thrown
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined
}

/** Wraps anything thrown into a JiraError without dropping non-Error throws. */
export function asJiraError(thrown: unknown, issueKey?: string): JiraError {
  if (thrown instanceof JiraError) return issueKey && !thrown.issueKey ? thrown.forIssue(issueKey) : thrown
  return new JiraError('error', `Unexpected failure: ${messageOf(thrown)}`, '', { issueKey })
}
