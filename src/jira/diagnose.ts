import type { AuthMode } from './auth.js'
import { JiraError } from './errors.js'
import type { JiraResponse } from './transport.js'
import { Redactor } from './redact.js'
import { compareBaseStrings, jiraBaseUrlFrom } from './signature.js'
import { ACTION_WORDS, type Words } from './words.js'

/** Usual causes of each oauth_problem net.oauth (Jira's OAuth provider) reports. */
export function oauthProblemAdvice(problem: string, words: Words): string | undefined {
  const accessToken = words.input('access-token')
  const consumerKey = words.input('consumer-key')
  const advice: Record<string, string> = {
    token_rejected: `The access token is unknown to this Jira: it was revoked, never authorized, or comes from another Jira. Run the OAuth dance again and update ${accessToken}.`,
    token_revoked: `The access token was revoked in Jira. Run the OAuth dance again and update ${accessToken}.`,
    token_expired: `The access token expired (they last 5 years). Run the OAuth dance again and update ${accessToken}.`,
    token_used: 'The request token was already exchanged. Start the OAuth dance again from the request token.',
    signature_invalid: `The private key does not match the public key on Jira's application link, or ${words.input('jira-url')} differs from the URL Jira sees (a proxy, another host name, http instead of https, a missing context path). Check both.`,
    timestamp_refused: "The clock of this machine is more than 5 minutes off Jira's. Fix its time (NTP) or Jira's.",
    nonce_used: 'A nonce was reused within the same second. Run the step again.',
    consumer_key_unknown: `No application link in Jira has this consumer key. Check ${consumerKey} against the incoming authentication of the application link.`,
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
  return Object.hasOwn(advice, problem) ? advice[problem] : undefined
}

/** What diagnosis knows of the request besides Jira's answer. */
export interface DiagnosisContext {
  issueKey?: string
  /** The OAuth dance's token endpoints authenticate the consumer, not a user. */
  anonymousExpected?: boolean
  /** Applied to every text taken from the answer. */
  redactor?: Redactor
  words?: Words
  /** The credentials the request carried, so a refusal is explained for them (OAuth when absent). */
  credentials?: SentCredentials
  /** The request as sent, for signature_invalid and a wrong jira-url. */
  signed?: { url?: string; baseUrl?: string; baseString?: string; fingerprint?: () => string | undefined }
}

/** What a request carried: the auth mode ('none' for no Authorization), and where it went. */
export interface SentCredentials {
  mode: AuthMode | 'none'
  /** Jira Cloud (*.atlassian.net). */
  cloud?: boolean
  /** The request went, or was also tried, through Cloud's API gateway. */
  gateway?: boolean
}

/** Data Center's documented answer when basic auth is switched off. */
const BASIC_DISABLED = /basic authentication has been disabled/i

/**
 * Classifies one Jira answer. Returns undefined when Jira did what was asked, and a
 * JiraError naming the failure and its remedy otherwise. Every answer is read, success
 * included: Jira can lock an account or fall back to anonymous on a 200. Every text taken
 * from the answer passes the redactor: proxies and error pages echo credentials.
 */
export function diagnose(response: JiraResponse, context: DiagnosisContext = {}): JiraError | undefined {
  const { status, headers } = response
  const { issueKey } = context
  const redactor = context.redactor ?? new Redactor()
  const words = context.words ?? ACTION_WORDS
  const loginReason = headers['x-seraph-loginreason']?.split(',')[0].trim()
  const userName = headers['x-ausername']
  const details = { issueKey, status, loginReason }

  if (loginReason === 'AUTHENTICATION_DENIED') {
    // Each part is taken from the header first, then passes the boundary on its own.
    const denied = headers['x-authentication-denied-reason'] ?? ''
    const rawLoginUrl = /login-url=(\S+)/.exec(denied)?.[1]
    const loginUrl = rawLoginUrl ? redactor.excerpt(rawLoginUrl, 200) : undefined
    const deniedReason = redactor.excerpt(denied.split(';')[0], 80)
    const where = loginUrl ? ` at ${loginUrl}` : ''
    return new JiraError(
      'captcha',
      `Jira locked the account behind a CAPTCHA after too many failed logins (${deniedReason || 'AUTHENTICATION_DENIED'}); no request will succeed until it is cleared.`,
      `Log in once in a browser${where} and solve the CAPTCHA, or ask a Jira admin to reset the user's failed login count. Then check the credentials before running again.`,
      { ...details, loginUrl }
    )
  }

  const mode = context.credentials?.mode ?? 'oauth'
  const oauthProblem = findOAuthProblem(response)
  if (oauthProblem && mode !== 'oauth' && mode !== 'none') {
    // Jira's OAuth filter names a problem for any request it could not authenticate, OAuth or
    // not (parameter_absent: no OAuth signature at all). The credentials sent were not OAuth.
    const problem = redactor.excerpt(oauthProblem, 80)
    return new JiraError(
      'unauthorized',
      `Jira did not accept ${credentialsNamed(mode)} (HTTP ${status}; its OAuth filter answered oauth_problem=${problem}, as it does for any request it could not authenticate).`,
      credentialsRemedy(context.credentials, words, status),
      { ...details, oauthProblem: problem }
    )
  }
  if (oauthProblem) {
    const problem = redactor.excerpt(oauthProblem, 80)
    const advice = oauthProblemAdvice(oauthProblem, words) ?? 'Jira named this OAuth problem; see its logs for more.'
    const jiraBaseString = formField(response.body, 'oauth_signature_base_string')
    const reason = `Jira refused the OAuth signature: oauth_problem=${problem}.`
    const debug = jiraBaseString ? `Jira's signature base string: ${redactor.redact(jiraBaseString)}` : undefined
    const pinpointed = oauthProblem === 'signature_invalid' ? pinpointSignature(response, jiraBaseString, context, redactor, words) : undefined
    return new JiraError('unauthorized', reason, pinpointed ?? advice, { ...details, oauthProblem: problem, debug })
  }

  const disabled = mode === 'basic' ? basicDisabled(response, context, redactor, words, details) : undefined
  if (disabled) return disabled

  if (loginReason === 'AUTHENTICATED_FAILED' || (userName === 'anonymous' && !context.anonymousExpected)) {
    const sign = loginReason === 'AUTHENTICATED_FAILED' ? 'X-Seraph-LoginReason: AUTHENTICATED_FAILED' : 'X-AUSERNAME: anonymous'
    return new JiraError(
      'unauthorized',
      `Jira did not accept ${credentialsNamed(mode)} and answered as an anonymous user (HTTP ${status}, ${sign}), so what it says about the issue cannot be trusted.`,
      credentialsRemedy(context.credentials, words, status, loginReason),
      details
    )
  }

  if (status >= 200 && status < 300) return undefined

  if (status >= 300 && status < 400) {
    const location = headers.location ? redactor.excerpt(headers.location, 200) : 'no Location header'
    const base =
      headers.location && context.signed?.url && context.signed.baseUrl
        ? jiraBaseUrlFrom(location.split('?')[0], context.signed.url, context.signed.baseUrl)
        : undefined
    return new JiraError(
      'wrong-url',
      `Jira redirected the request (HTTP ${status}) to ${location}.`,
      `An OAuth signature covers the URL, so redirects are not followed: set ${words.input('jira-url')} to ${base ?? 'the base URL Jira redirects to (the part before /rest or /plugins)'}.`,
      details
    )
  }

  const message = errorText(response, redactor)
  switch (status) {
    case 400:
      return new JiraError('invalid', `Jira rejected the request (HTTP 400): ${message}.`, 'Fix the field or value it names.', details)
    case 401:
      return new JiraError(
        'unauthorized',
        `Jira answered 401 Unauthorized: ${message}.`,
        credentialsRemedy(context.credentials, words, status, loginReason),
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
      if (!isJiraJson(response.body)) return notJira(response, message, context, redactor, words)
      return new JiraError('not-found', `Jira answered 404 Not Found: ${message}.`, 'Check the issue key, and that the user can browse its project.', details)
    case 410:
      return new JiraError('error', `Jira answered 410 Gone: ${message}.`, 'This Jira no longer offers the endpoint.', details)
    case 429:
      return rateLimited(response, redactor, words, details)
    default:
      return new JiraError('error', `Jira answered HTTP ${status}: ${message}.`, status >= 500 ? 'Jira failed; try again later.' : '', details)
  }
}

/** How the credentials of a mode are named in a refusal. */
function credentialsNamed(mode: AuthMode | 'none'): string {
  switch (mode) {
    case 'pat':
      return 'the personal access token'
    case 'basic':
      return 'the user and API token (basic auth)'
    case 'client-credentials':
      return "the service account's access token (OAuth 2.0 client credentials)"
    default:
      return 'the credentials'
  }
}

/** What to check for a refusal of the credentials actually sent. */
function credentialsRemedy(sent: SentCredentials | undefined, words: Words, status: number, loginReason?: string): string {
  const mode = sent?.mode ?? 'oauth'
  switch (mode) {
    case 'pat':
      return `Check ${words.input('personal-access-token')}: it may have expired or been revoked (Profile → Personal Access Tokens), or belong to another Jira; personal access tokens need Data Center or Server 8.14 or later. ${words.checkCredentials}`
    case 'basic': {
      const user = words.input('user')
      const apiToken = words.input('api-token')
      if (!sent?.cloud) {
        return `Check ${user} and ${apiToken}${loginReason === 'AUTHENTICATED_FAILED' ? ' (Jira tried them and they failed; a few more failures lock the account behind a CAPTCHA)' : ''}. On Data Center a personal access token or a service account is the better choice. ${words.checkCredentials}`
      }
      const gateway = sent.gateway
        ? "Cloud's API gateway refused it too, so a scoped token is the less likely cause"
        : `scoped tokens work only through Cloud's API gateway: set ${words.input('api-url')} to https://api.atlassian.com/ex/jira/{cloudId} (or leave it empty and this tool tries the gateway)`
      return `Check ${user} is the account's e-mail address. Two causes are likely for an API token on Jira Cloud (HTTP ${status}): the token is scoped (${gateway}); or it expired: API tokens created since December 2024 expire within a year. Create a new one at https://id.atlassian.com/manage-profile/security/api-tokens and update ${apiToken}.`
    }
    case 'client-credentials':
      return `The token endpoint issued the token, but Jira refused it: check the service account is active and may use this Jira${sent?.cloud ? ` (on Cloud, REST calls go through the API gateway: check ${words.input('api-url')} if it is set)` : ''}, and ${words.input('client-id')} is the credential of the service account meant. ${words.checkCredentials}`
    default:
      return `${words.checkCredentials} For OAuth, check that the access token was authorized and the application link allows user impersonation.`
  }
}

/**
 * Basic auth switched off: Data Center's documented 403, or (reportedly Jira 11's default) a 401
 * with no Seraph reason, which means Jira tried no login at all, right token or not. Both come
 * as anonymous answers, so they are read before the anonymous fallback.
 */
function basicDisabled(
  response: JiraResponse,
  context: DiagnosisContext,
  redactor: Redactor,
  words: Words,
  details: { issueKey?: string; status: number; loginReason?: string }
): JiraError | undefined {
  const message = response.status === 401 || response.status === 403 ? errorText(response, redactor) : ''
  if (response.status === 403 && BASIC_DISABLED.test(message)) {
    return new JiraError('unauthorized', `Jira has basic authentication disabled: ${message.replace(/\.$/, '')}.`, basicDisabledRemedy(words), details)
  }
  if (response.status === 401 && !context.credentials?.cloud && details.loginReason === undefined) {
    return new JiraError(
      'unauthorized',
      `Jira answered 401 Unauthorized to basic auth without trying the user and token (no X-Seraph-LoginReason): ${message}. Basic auth is most likely disabled on this Jira.`,
      basicDisabledRemedy(words),
      details
    )
  }
  return undefined
}

function basicDisabledRemedy(words: Words): string {
  return `Use a personal access token (${words.input('personal-access-token')}, Data Center 8.14+) or a service account (${words.input('client-id')} and ${words.input('client-secret')}) instead, or ask a Jira admin to allow basic auth for this user.`
}

/** What Cloud's RateLimit-Reason values mean, for the message when retries ran out. */
const RATE_LIMIT_REASONS: Record<string, string> = {
  'jira-burst-based': 'too many requests in a short burst',
  'jira-quota-tenant-based': "the site's hourly quota is used up",
  'jira-quota-global-based': "Jira Cloud's global quota is used up",
  'jira-per-issue-on-write': 'writes to one issue came too fast'
}

function rateLimited(
  response: JiraResponse,
  redactor: Redactor,
  words: Words,
  details: { issueKey?: string; status: number; loginReason?: string }
): JiraError {
  const { headers } = response
  const reasonHeader = headers['ratelimit-reason']?.trim()
  const reason = reasonHeader ? redactor.excerpt(reasonHeader, 60) : undefined
  const meaning = reasonHeader && Object.hasOwn(RATE_LIMIT_REASONS, reasonHeader) ? `: ${RATE_LIMIT_REASONS[reasonHeader]}` : ''
  const waits = [
    headers['retry-after'] ? `Retry-After ${redactor.excerpt(headers['retry-after'], 40)}` : undefined,
    headers['x-ratelimit-reset'] ? `X-RateLimit-Reset ${redactor.excerpt(headers['x-ratelimit-reset'], 40)}` : undefined
  ].filter(Boolean)
  const remedy =
    reasonHeader === 'jira-per-issue-on-write'
      ? 'Space out updates of the same issue (one run per build, not one per step).'
      : reasonHeader?.startsWith('jira-quota')
        ? `Wait for the quota to reset, run the step less often, or ask an admin about the site's limits; raising ${words.input('max-retries')} or ${words.input('timeout')} lets a run wait longer.`
        : `Run fewer updates at once (${words.input('concurrency')}), raise ${words.input('max-retries')} or ${words.input('timeout')} to wait longer, or ask an admin to raise the limit for this user.`
  return new JiraError(
    'error',
    `Jira is rate limiting requests (HTTP 429${reason ? `, RateLimit-Reason ${reason}${meaning}` : ''}${waits.length > 0 ? `, ${waits.join(', ')}` : ''}) and retries ran out.`,
    remedy,
    details
  )
}

/**
 * Jira's REST API answers a missing issue with JSON errorMessages; anything else on a 404
 * (Tomcat's "HTTP Status 404 – Not Found", a proxy's page) means the URL is not Jira's REST API.
 */
function isJiraJson(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as unknown
    return parsed !== null && typeof parsed === 'object' && ('errorMessages' in parsed || 'errors' in parsed)
  } catch {
    return false
  }
}

function notJira(response: JiraResponse, message: string, context: DiagnosisContext, redactor: Redactor, words: Words): JiraError {
  const jiraUrl = words.input('jira-url')
  const hint = baseUrlHint(response.body, context.signed?.url)
  const remedy = hint
    ? `The page names Jira at ${redactor.excerpt(hint, 200)}: set ${jiraUrl} to that.`
    : `Most often ${jiraUrl} lacks Jira's context path (such as /jira): use the base URL Jira shows under Administration → System → Base URL.`
  return new JiraError(
    'wrong-url',
    `${context.signed?.baseUrl ?? 'The URL'} is not Jira's REST API: it answered 404 with ${message}, not Jira's JSON.`,
    remedy,
    { issueKey: context.issueKey, status: response.status }
  )
}

/** Jira's base URL as its own pages reveal it: a <base href>, or the link to its login page. */
export function baseUrlHint(body: string, requestUrl?: string): string | undefined {
  const base = /<base\s[^>]*href=["']([^"']+)["']/i.exec(body)?.[1]
  const login = /href=["']([^"']*?)\/login\.jsp[^"']*["']/i.exec(body)?.[1]
  const found = base ?? (login !== undefined ? login || '/' : undefined)
  if (found === undefined) return undefined
  try {
    const url = new URL(found, requestUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    return undefined
  }
}

/** Says which part of the signature Jira saw differently, from Jira's own base string. */
function pinpointSignature(
  response: JiraResponse,
  jiraBaseString: string | undefined,
  context: DiagnosisContext,
  redactor: Redactor,
  words: Words
): string | undefined {
  const ours = context.signed?.baseString
  if (!jiraBaseString || !ours) return undefined
  const verdict = compareBaseStrings(ours, jiraBaseString)
  if (!verdict) return undefined
  const jiraUrl = words.input('jira-url')
  switch (verdict.differs) {
    case 'method':
      return `Jira saw the request as ${redactor.excerpt(verdict.theirs, 20)}, not ${verdict.ours}: a proxy between changes the method. Send Jira the request unchanged.`
    case 'url': {
      const realm = /realm="([^"]*)"/.exec(response.headers['www-authenticate'] ?? '')?.[1]
      const fromRealm = realm ? safeDecode(realm) : undefined
      const theirBase =
        (context.signed?.url && context.signed.baseUrl ? jiraBaseUrlFrom(verdict.theirs, context.signed.url, context.signed.baseUrl) : undefined) ??
        (fromRealm && /^https?:\/\//.test(fromRealm) ? fromRealm : undefined)
      const shown = redactor.excerpt(theirBase ?? verdict.theirs, 200)
      return `Jira signs over ${redactor.excerpt(verdict.theirs, 200)}, but this request was signed for ${verdict.ours}: a reverse proxy or another host name stands between. Set ${jiraUrl} to ${shown}, the URL Jira knows itself by.`
    }
    case 'parameter': {
      const show = (value: string | undefined): string => (value === undefined ? 'absent' : `"${redactor.excerpt(value, 80)}"`)
      return `Jira signs parameter ${redactor.excerpt(verdict.name, 60)} as ${show(verdict.theirs)}, but this request signed it as ${show(verdict.ours)}: something between changes the query or body. Send Jira the request unchanged.`
    }
    case 'nothing':
      return `Jira computed the same base string, so the private key does not match the public key on the application link, for certain. The public key that belongs to the configured private key has SHA-256 fingerprint ${context.signed?.fingerprint?.() ?? 'unknown'}; compare it with the link's (openssl pkey -pubin -in public.pem -outform DER | sha256sum), then register the right public key or use the right private key.`
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** The oauth_problem from WWW-Authenticate or from a form-encoded body. */
export function findOAuthProblem(response: JiraResponse): string | undefined {
  const challenge = response.headers['www-authenticate'] ?? ''
  const fromHeader = /oauth_problem="([^"]*)"/.exec(challenge)?.[1]
  if (fromHeader) return safeDecode(fromHeader) ?? fromHeader
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

/**
 * A short, human account of an error body: Jira's errorMessages and field errors, a JSON
 * message, or the title of an HTML page (never the page itself).
 */
export function errorText(response: JiraResponse, redactor: Redactor = new Redactor()): string {
  return redactor.excerpt(rawErrorText(response))
}

function rawErrorText(response: JiraResponse): string {
  const body = response.body.trim()
  if (body === '') return 'no details in the answer'
  try {
    const parsed = JSON.parse(body) as { errorMessages?: unknown; errors?: unknown; message?: unknown }
    const parts: string[] = []
    if (Array.isArray(parsed.errorMessages)) for (const message of parsed.errorMessages as unknown[]) parts.push(String(message))
    if (parsed.errors && typeof parsed.errors === 'object') {
      for (const [field, text] of Object.entries(parsed.errors)) parts.push(`${field}: ${String(text)}`)
    }
    if (typeof parsed.message === 'string') parts.push(parsed.message)
    if (parts.length > 0) return parts.join('; ').replace(/\s+/g, ' ')
  } catch {
    // not JSON; fall through
  }
  const title = htmlTitle(body)
  if (title !== undefined) return `an HTML page titled "${title}"`
  // Plain text, such as a proxy's or a WAF's page: its start, on one line (then cut and redacted).
  return body.replace(/\s+/g, ' ')
}

/**
 * The title of an HTML page, whitespace collapsed, or undefined for a body that is not HTML.
 * Whole: it is cut only after the boundary has redacted it (a cut first could leave part of a
 * secret that no longer matches).
 */
export function htmlTitle(body: string): string | undefined {
  if (!/^\s*</.test(body)) return undefined
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1]
  return title === undefined ? 'untitled' : title.replace(/\s+/g, ' ').trim()
}
