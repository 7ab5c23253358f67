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
  /** The request as sent, for signature_invalid and a wrong jira-url. */
  signed?: { url?: string; baseUrl?: string; baseString?: string; fingerprint?: () => string | undefined }
}

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
    const deniedReason = redactor.excerpt(headers['x-authentication-denied-reason'] ?? '')
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
    const problem = redactor.excerpt(oauthProblem, 80)
    const advice = oauthProblemAdvice(oauthProblem, words) ?? 'Jira named this OAuth problem; see its logs for more.'
    const jiraBaseString = formField(response.body, 'oauth_signature_base_string')
    const reason = `Jira refused the OAuth signature: oauth_problem=${problem}.`
    const debug = jiraBaseString ? `Jira's signature base string: ${redactor.redact(jiraBaseString)}` : undefined
    const pinpointed = oauthProblem === 'signature_invalid' ? pinpointSignature(response, jiraBaseString, context, redactor, words) : undefined
    return new JiraError('unauthorized', reason, pinpointed ?? advice, { ...details, oauthProblem: problem, debug })
  }

  if (loginReason === 'AUTHENTICATED_FAILED' || (userName === 'anonymous' && !context.anonymousExpected)) {
    const sign = loginReason === 'AUTHENTICATED_FAILED' ? 'X-Seraph-LoginReason: AUTHENTICATED_FAILED' : 'X-AUSERNAME: anonymous'
    return new JiraError(
      'unauthorized',
      `Jira did not accept the credentials and answered as an anonymous user (HTTP ${status}, ${sign}), so what it says about the issue cannot be trusted.`,
      `${words.checkCredentials} For OAuth, check that the access token was authorized and the application link allows user impersonation.`,
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
      return new JiraError('unauthorized', `Jira answered 401 Unauthorized: ${message}.`, words.checkCredentials, details)
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
      return new JiraError(
        'error',
        `Jira is rate limiting requests (HTTP 429${headers['retry-after'] ? `, Retry-After ${redactor.excerpt(headers['retry-after'], 40)}` : ''}).`,
        `Run fewer updates at once (${words.input('concurrency')}), or ask an admin to raise the limit for this user.`,
        details
      )
    default:
      return new JiraError('error', `Jira answered HTTP ${status}: ${message}.`, status >= 500 ? 'Jira failed; try again later.' : '', details)
  }
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
