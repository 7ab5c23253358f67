/** How a failure is classed; the first six are also the action's `result` output values. */
export type FailureKind = 'captcha' | 'unauthorized' | 'forbidden' | 'not-found' | 'invalid' | 'error' | 'network'

/** Headline for each kind, used as the annotation title. */
export const FAILURE_TITLES: Record<FailureKind, string> = {
  captcha: 'Jira CAPTCHA lockout',
  unauthorized: 'Jira refused the credentials',
  forbidden: 'Jira forbade the request',
  'not-found': 'Jira issue not found',
  invalid: 'Jira rejected the value',
  error: 'Jira request failed',
  network: 'Jira could not be reached'
}

export interface JiraErrorDetails {
  issueKey?: string
  status?: number
  oauthProblem?: string
  loginReason?: string
  loginUrl?: string
  /** Extra text for debug output only, already free of secrets. */
  debug?: string
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

/** Wraps anything thrown into a JiraError without dropping non-Error throws. */
export function asJiraError(thrown: unknown, issueKey?: string): JiraError {
  if (thrown instanceof JiraError) return issueKey && !thrown.issueKey ? thrown.forIssue(issueKey) : thrown
  const text = thrown instanceof Error ? thrown.message : String(thrown)
  return new JiraError('error', `Unexpected failure: ${text}`, '', { issueKey })
}
