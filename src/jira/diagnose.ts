import { JiraError } from './errors.js'

/** An HTTP answer from Jira, with header names in lower case. */
export interface JiraResponse {
  status: number
  headers: Record<string, string | undefined>
  body: string
}

/** Usual causes of each oauth_problem net.oauth (Jira's OAuth provider) reports. */
export const OAUTH_PROBLEM_ADVICE: Record<string, string> = {
  token_rejected:
    'The access token is unknown to this Jira: it was revoked, never authorized, or comes from another Jira. Run the OAuth dance again and update the access-token secret.',
  token_revoked: 'The access token was revoked in Jira. Run the OAuth dance again and update the access-token secret.',
  token_expired: 'The access token expired (they last 5 years). Run the OAuth dance again and update the access-token secret.',
  token_used: 'The request token was already exchanged. Start the OAuth dance again from the request token.',
  signature_invalid:
    "The private key does not match the public key on Jira's application link, or jira-url differs from the URL Jira sees (a proxy, another host name, http instead of https, a missing context path). Check both.",
  timestamp_refused:
    "The runner's clock is more than 5 minutes off Jira's. Fix the runner's time (NTP) or Jira's.",
  nonce_used: 'A nonce was reused within the same second. Run the step again.',
  consumer_key_unknown:
    'No application link in Jira has this consumer key. Check the consumer-key secret against the incoming authentication of the application link.',
  consumer_key_rejected: 'Jira rejected the consumer key. Check the application link is enabled.',
  consumer_key_refused: 'Jira refused the consumer key. Check the application link is enabled.',
  permission_unknown: 'The access token is not authorized yet. Finish the OAuth dance: approve the request token in the browser, then exchange it.',
  permission_denied: 'The user denied access to the application link. Run the OAuth dance again and approve it.',
  user_refused: 'The user refused the authorization. Run the OAuth dance again and approve it.',
  signature_method_rejected: 'Jira only accepts RSA-SHA1 for this application link.',
  version_rejected: 'Jira only accepts OAuth version 1.0.',
  parameter_absent: 'A required OAuth parameter was missing.',
  parameter_rejected: 'Jira rejected an OAuth parameter.',
  additional_authorization_required: 'The access token lacks the authorization this request needs. Run the OAuth dance again.'
}

/**
 * Classifies one Jira answer. Returns undefined when Jira did what was asked, and a
 * JiraError naming the failure and its remedy otherwise. Every answer is read, success
 * included: Jira can lock an account or fall back to anonymous on a 200. The OAuth dance's
 * token endpoints authenticate the consumer, not a user, so there `anonymousExpected` is set.
 */
export function diagnose(response: JiraResponse, issueKey?: string, context: { anonymousExpected?: boolean } = {}): JiraError | undefined {
  const { status, headers } = response
  const loginReason = headers['x-seraph-loginreason']?.split(',')[0].trim()
  const userName = headers['x-ausername']
  const details = { issueKey, status, loginReason }

  if (loginReason === 'AUTHENTICATION_DENIED') {
    const deniedReason = headers['x-authentication-denied-reason'] ?? ''
    const loginUrl = /login-url=(\S+)/.exec(deniedReason)?.[1]
    const where = loginUrl ? ` at ${loginUrl}` : ''
    return new JiraError(
      'captcha',
      `Jira locked the account behind a CAPTCHA after too many failed logins (${deniedReason.split(';')[0] || 'AUTHENTICATION_DENIED'}); no request will succeed until it is cleared.`,
      `Log in once in a browser${where} and solve the CAPTCHA, or ask a Jira admin to reset the user's failed login count. Then check the credentials before running again.`,
      { ...details, loginUrl }
    )
  }

  const oauthProblem = findOAuthProblem(response)
  if (oauthProblem) {
    const advice = OAUTH_PROBLEM_ADVICE[oauthProblem] ?? 'Jira named this OAuth problem; see its logs for more.'
    const baseString = formField(response.body, 'oauth_signature_base_string')
    return new JiraError('unauthorized', `Jira refused the OAuth signature: oauth_problem=${oauthProblem}.`, advice, {
      ...details,
      oauthProblem,
      debug: baseString ? `Jira's signature base string: ${redactToken(baseString)}` : undefined
    })
  }

  if (loginReason === 'AUTHENTICATED_FAILED' || (userName === 'anonymous' && !context.anonymousExpected)) {
    const sign = loginReason === 'AUTHENTICATED_FAILED' ? 'X-Seraph-LoginReason: AUTHENTICATED_FAILED' : 'X-AUSERNAME: anonymous'
    return new JiraError(
      'unauthorized',
      `Jira did not accept the credentials and answered as an anonymous user (HTTP ${status}, ${sign}), so what it says about the issue cannot be trusted.`,
      'Check the credentials with the check command; for OAuth, that the access token was authorized and the application link allows user impersonation.',
      details
    )
  }

  if (status >= 200 && status < 300) return undefined

  if (status >= 300 && status < 400) {
    const location = headers.location ?? 'no Location header'
    return new JiraError(
      'invalid',
      `Jira redirected the request (HTTP ${status}) to ${location}.`,
      'An OAuth signature covers the URL, so redirects are not followed: set jira-url to the base URL Jira redirects to (the part before /rest or /plugins).',
      details
    )
  }

  const message = errorText(response)
  switch (status) {
    case 400:
      return new JiraError('invalid', `Jira rejected the request (HTTP 400): ${message}.`, 'Fix the field or value it names.', details)
    case 401:
      return new JiraError(
        'unauthorized',
        `Jira answered 401 Unauthorized: ${message}.`,
        'Check the credentials with the check command.',
        details
      )
    case 403:
      return new JiraError(
        'forbidden',
        `Jira answered 403 Forbidden: ${message}.`,
        'The user the credentials act as lacks the permission (Edit Issues on the project), or this auth mode is disabled on the instance.',
        details
      )
    case 404:
      return new JiraError(
        'not-found',
        `Jira answered 404 Not Found: ${message}.`,
        'Check the issue key, and that the user can browse its project.',
        details
      )
    case 429:
      return new JiraError(
        'error',
        `Jira is rate limiting requests (HTTP 429${headers['retry-after'] ? `, Retry-After ${headers['retry-after']}` : ''}).`,
        'Run fewer updates at once, or ask an admin to raise the limit for this user.',
        details
      )
    default:
      return new JiraError('error', `Jira answered HTTP ${status}: ${message}.`, status >= 500 ? 'Jira failed; try again later.' : '', details)
  }
}

/** The oauth_problem from WWW-Authenticate or from a form-encoded body. */
export function findOAuthProblem(response: JiraResponse): string | undefined {
  const challenge = response.headers['www-authenticate'] ?? ''
  const fromHeader = /oauth_problem="([^"]*)"/.exec(challenge)?.[1]
  if (fromHeader) return decodeURIComponent(fromHeader)
  return formField(response.body, 'oauth_problem')
}

function formField(body: string, name: string): string | undefined {
  if (!body.includes(`${name}=`) || body.trimStart().startsWith('<')) return undefined
  try {
    return new URLSearchParams(body.trim()).get(name) ?? undefined
  } catch {
    return undefined
  }
}

/** Jira's base string contains the access token; show its shape, never its value. */
function redactToken(baseString: string): string {
  return baseString.replace(/(oauth_token%253D|oauth_token%3D|oauth_token=)[^&%]+/g, '$1***')
}

/**
 * A short, human account of an error body: Jira's errorMessages and field errors, a JSON
 * message, or the title of an HTML page (never the page itself).
 */
export function errorText(response: JiraResponse): string {
  const body = response.body.trim()
  if (body === '') return 'no details in the answer'
  try {
    const parsed = JSON.parse(body) as { errorMessages?: unknown; errors?: unknown; message?: unknown }
    const parts: string[] = []
    if (Array.isArray(parsed.errorMessages)) parts.push(...parsed.errorMessages.map(String))
    if (parsed.errors && typeof parsed.errors === 'object') {
      for (const [field, text] of Object.entries(parsed.errors)) parts.push(`${field}: ${String(text)}`)
    }
    if (typeof parsed.message === 'string') parts.push(parsed.message)
    if (parts.length > 0) return parts.join('; ')
  } catch {
    // not JSON; fall through
  }
  const title = htmlTitle(body)
  if (title !== undefined) return `an HTML page titled "${title}"`
  return firstLine(body)
}

/** The title of an HTML page, first line only, or undefined for a body that is not HTML. */
export function htmlTitle(body: string): string | undefined {
  if (!/^\s*</.test(body)) return undefined
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1]
  return title === undefined ? 'untitled' : firstLine(title.replace(/\s+/g, ' '))
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0].trim()
  return line.length > 160 ? `${line.slice(0, 160)}…` : line
}
