import type { Authenticator, Authorization } from './auth.js'
import { fixedRoute, type ApiRoute } from './gateway.js'
import { RateLimiter, type Slot } from './limiter.js'
import { diagnose, htmlTitle } from './diagnose.js'
import { codeOf, JiraError, Stopped } from './errors.js'
import { Redactor } from './redact.js'
import type { Shape } from './shape.js'
import { MAX_BODY_BYTES, type JiraResponse, type Transport } from './transport.js'
import { ACTION_WORDS, type Words } from './words.js'

/** When and how long to retry; passed in so tests can count and the clock can be fixed. */
export interface RetryPolicy {
  maxRetries: number
  /** Epoch milliseconds past which nothing more is sent: the run's timeout. */
  deadline: number
  now: () => number
  /** Waits; rejects when the signal aborts, so a stop reaches a retry that is waiting. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  random: () => number
  /** Told of each retry, for the log. */
  onRetry?: (message: string) => void
  /**
   * Resolves when `ms` have passed while a request is in flight, so the run's time limit can cut
   * it short; never settles once `signal` aborts (the answer came first). Real time unless a test
   * moves the clock itself.
   */
  timeLimit?: (ms: number, signal: AbortSignal) => Promise<void>
}

/** A policy of `maxRetries` retries within `timeoutSeconds` from now, on the real clock. */
export function retryPolicy(maxRetries: number, timeoutSeconds: number, onRetry?: (message: string) => void): RetryPolicy {
  return {
    maxRetries,
    deadline: Date.now() + timeoutSeconds * 1000,
    now: Date.now,
    sleep: abortableSleep,
    random: Math.random,
    onRetry
  }
}

// Transient answers: rate limiting and a gateway or Jira node briefly down. A 401 or 403 is
// never among them: each retry would add to the failed-login count behind the CAPTCHA.
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504])
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CONSTANT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ECONNABORTED'
])
const BACKOFF_BASE_MS = 500
const BACKOFF_CAP_MS = 10_000

export interface RequestOptions {
  query?: Record<string, string>
  /** Sent as application/json; never signed (RFC 5849 signs form bodies only). */
  json?: unknown
  /** Sent as application/x-www-form-urlencoded and covered by the signature. */
  form?: Record<string, string>
  /** Extra OAuth protocol parameters for the dance (oauth_callback, oauth_verifier). */
  oauthParams?: Record<string, string>
  /** The issue this request concerns, for the failure it may become. */
  issueKey?: string
  /** The token endpoints of the OAuth dance authenticate the consumer, not a user. */
  anonymousExpected?: boolean
  /**
   * Whether the request may be sent again. `idempotent` (the default): reads, a PUT of the same
   * fields, an upsert by globalId; a second arrival does no harm. `never-after-sent`: a POST
   * that adds (a comment); it is sent again only when Jira certainly did not process it (the
   * connection was refused or the host not found before sending, a 429, or a 503 with
   * Retry-After), and a failure after it may have arrived says so.
   */
  retry?: RetryRule
}

/** Whether a request may be sent again after a transient failure; see RequestOptions.retry. */
export type RetryRule = 'idempotent' | 'never-after-sent'

// Failures that happen before a single byte of the request left: nothing reached Jira.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])

/** What a client needs besides where Jira is and how to authenticate. */
export interface ClientContext {
  transport: Transport
  /** The run's retries and time limit: from the inputs, whose declaration holds the defaults. */
  retry: RetryPolicy
  /** Applied to every text of an answer before it goes into a message. */
  redactor?: Redactor
  /** How remedies name inputs and commands. */
  words?: Words
  /** Stops requests in flight and retries waiting: a CAPTCHA elsewhere, a cancelled run. */
  signal?: AbortSignal
  /** Where REST calls go; jira-url itself when absent. */
  route?: ApiRoute
  /** Shared by every request of the run; one of its own when absent. */
  limiter?: RateLimiter
  /** Jira Cloud, as the inputs say: a refusal is explained for Cloud's credentials. */
  cloud?: boolean
  /** The input that sets the base URL, for remedies: jira-url, or token-url for a token endpoint's client. */
  urlInput?: string
  /** Told each request's method, URL and status (or why it got none), for debug output. */
  debug?: (message: string) => void
}

/** An answer and what was signed for the request that got it. */
interface Exchange {
  response: JiraResponse
  /** The OAuth signature base string of the last attempt, to compare with Jira's. */
  baseString?: string
  /** The URL the last attempt went to (the site's or the gateway's). */
  url: string
  /** A `never-after-sent` request whose failing answer does not rule out that Jira processed it. */
  mayHaveArrived?: boolean
}

export type { Shape }

/** A Jira REST client: builds URLs under the base URL, authorizes, sends and diagnoses. */
export class JiraClient {
  private readonly transport: Transport
  private readonly retry: RetryPolicy
  readonly redactor: Redactor
  readonly words: Words
  private readonly signal?: AbortSignal
  private readonly route: ApiRoute
  readonly limiter: RateLimiter
  private readonly cloud: boolean
  private readonly urlInput: string
  private readonly debug?: (message: string) => void

  /** `baseUrl` is jira-url, what people open; REST calls go where the context's route says. */
  constructor(
    readonly baseUrl: string,
    private readonly auth: Authenticator,
    context: ClientContext
  ) {
    this.transport = context.transport
    this.retry = context.retry
    this.redactor = context.redactor ?? new Redactor()
    this.words = context.words ?? ACTION_WORDS
    this.signal = context.signal
    this.route = context.route ?? fixedRoute(baseUrl)
    this.limiter = context.limiter ?? new RateLimiter(this.retry)
    this.cloud = context.cloud ?? false
    this.urlInput = context.urlInput ?? 'jira-url'
    this.debug = context.debug
  }

  /** The full URL of a REST path as known now (context path or gateway included). */
  url(path: string, query?: Record<string, string>): string {
    return joinUrl(this.route.known, path, query)
  }

  /**
   * Sends one request and returns Jira's answer, whatever it is, retrying what is safe and
   * transient within the policy. Every attempt is signed afresh: a reused nonce is refused.
   * Every attempt passes the rate limiter. Network failures and the run's timeout throw JiraError.
   */
  private async exchange(method: string, path: string, options: RequestOptions): Promise<Exchange> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    let body: string | undefined
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(options.form).toString()
    }
    const { retry } = this
    // GETs read; a PUT of the same fields and an upsert by globalId are idempotent, so one
    // that reached Jira before its answer was lost does no harm when sent again. A token POST
    // that did reach Jira is refused on retry as token_used, which says to start the dance
    // again. A request that adds (a comment) is `never-after-sent`: retried only when Jira
    // certainly did not process it.
    const once = options.retry === 'never-after-sent'
    let retries = 0
    let renewed = false
    let rerouted = false
    for (;;) {
      this.checkStopped()
      const remaining = retry.deadline - retry.now()
      if (remaining <= 0) throw this.timedOut(options.issueKey)
      const base = await this.route.base()
      const url = joinUrl(base, path, options.query)
      const slot = await this.takeSlot()
      let signed: Authorization
      let response: JiraResponse
      // Whether the request left: until then (a token still being fetched), a stop or failure
      // cannot have reached Jira, and a request that must not arrive twice may still be sent.
      let dispatched = false
      // Ends this attempt at the time limit, so a request the run gave up on cannot land later.
      const attempt = new AbortController()
      try {
        signed = await this.auth.authorize({ method, url, form: options.form, oauthParams: options.oauthParams })
        if (signed.header === undefined) delete headers.Authorization
        else headers.Authorization = signed.header
        dispatched = true
        response = await withDeadline(
          this.transport.send({ method, url, headers, body, signal: this.signal ? AbortSignal.any([this.signal, attempt.signal]) : attempt.signal }),
          retry.deadline - retry.now(),
          retry.timeLimit ?? realTimeLimit
        )
      } catch (thrown) {
        this.limiter.release(slot)
        if (!(thrown instanceof JiraError) && !(thrown instanceof Stopped))
          this.debug?.(`${method} ${url} → no answer (${codeOf(thrown) ?? (thrown instanceof DeadlinePassed ? 'time limit' : 'error')})`)
        if (thrown instanceof DeadlinePassed) {
          attempt.abort()
          throw this.timedOut(options.issueKey, once)
        }
        // Stopped in flight: a request that must not arrive twice may have arrived once.
        if (this.signal?.aborted) throw new Stopped(this.signal.reason, once && dispatched)
        if (thrown instanceof JiraError || thrown instanceof Stopped) throw thrown
        const notSent = !dispatched || NOT_SENT_CODES.has(codeOf(thrown) ?? '')
        // The gateway is api-url's, the token endpoint token-url's: the remedy names the input behind the URL.
        const error = networkError(thrown, base, this.words, options.issueKey, base === this.baseUrl ? this.urlInput : 'api-url', once && !notSent)
        const delay = backoff(retries, retry)
        if (retries < retry.maxRetries && isRetryableThrow(thrown) && (!once || notSent) && retry.now() + delay < retry.deadline) {
          retries++
          retry.onRetry?.(`${method} ${path}: ${error.reason} Retrying in ${formatDelay(delay)} (${retries} of ${retry.maxRetries}).`)
          await this.pause(delay)
          continue
        }
        throw error
      }
      this.debug?.(`${method} ${url} → HTTP ${response.status}`)
      // A CAPTCHA can come with any status; retrying it only deepens the lockout.
      const captcha = response.headers['x-seraph-loginreason']?.includes('AUTHENTICATION_DENIED') === true
      if (response.status === 429 && !captcha) {
        // Every request waits out the time named, and fewer go at once from now on.
        const delay = retryDelay(response, retries, retry)
        this.limiter.limited(slot, retry.now() + delay)
        if (retries < retry.maxRetries && retry.now() + delay < retry.deadline) {
          retries++
          const reason = response.headers['ratelimit-reason'] ? `, ${this.redactor.excerpt(response.headers['ratelimit-reason'], 60)}` : ''
          retry.onRetry?.(
            `${method} ${path}: HTTP 429${reason}. Retrying in ${formatDelay(delay)} (${retries} of ${retry.maxRetries}), with fewer requests at once.`
          )
          continue
        }
        return { response, baseString: signed.baseString, url }
      }
      this.limiter.release(slot)
      if (response.status === 401 && !captcha) {
        // A client-credentials token that expired during the run: one new token, one more try.
        if (!renewed && this.auth.renew?.(response, signed)) {
          renewed = true
          retry.onRetry?.(`${method} ${path}: HTTP 401 to the access token; asking for a new one and sending the request again.`)
          continue
        }
        // Cloud with basic auth: a scoped API token works only through the API gateway.
        if (!rerouted && this.route.afterUnauthorized && (await this.route.afterUnauthorized(base)) !== undefined) {
          rerouted = true
          continue
        }
      }
      if (retries < retry.maxRetries && !captcha && RETRYABLE_STATUSES.has(response.status) && (!once || certainlyUnprocessed(response))) {
        const delay = retryDelay(response, retries, retry)
        if (retry.now() + delay < retry.deadline) {
          retries++
          retry.onRetry?.(`${method} ${path}: HTTP ${response.status}. Retrying in ${formatDelay(delay)} (${retries} of ${retry.maxRetries}).`)
          await this.pause(delay)
          continue
        }
      }
      return { response, baseString: signed.baseString, url, mayHaveArrived: once && mayHaveBeenProcessed(response) }
    }
  }

  /** A slot from the rate limiter; a stop while waiting for one throws Stopped. */
  private async takeSlot(): Promise<Slot> {
    try {
      return await this.limiter.acquire(this.signal)
    } catch (thrown) {
      this.checkStopped()
      throw thrown
    }
  }

  /** Throws Stopped once the run's signal has aborted: nothing more is sent. */
  private checkStopped(): void {
    if (this.signal?.aborted) throw new Stopped(this.signal.reason)
  }

  private async pause(ms: number): Promise<void> {
    try {
      await this.retry.sleep(ms, this.signal)
    } catch {
      this.checkStopped()
    }
    this.checkStopped()
  }

  private timedOut(issueKey?: string, mayHaveArrived = false): JiraError {
    return new JiraError(
      'network',
      `Jira did not answer within the run's time limit.`,
      `Raise ${this.words.input('timeout')} (seconds) if Jira is slow, or check that this machine can reach it.`,
      { issueKey, mayHaveArrived }
    )
  }

  /**
   * Sends one request and returns its JSON answer (undefined for an empty one). Throws the
   * diagnosed JiraError when Jira refused, and says so when the answer is not JSON.
   */
  async json<T>(method: string, path: string, options: RequestOptions = {}, shape?: Shape<T>): Promise<T | undefined> {
    const response = await this.answer(method, path, options)
    const value = parseJson<T>(response, this.url(path), this.redactor, this.words, options.issueKey)
    if (shape && value !== undefined) {
      // A shape that names the place an answer departs from it says so; one that cannot, says what it expected.
      const mismatch = shape.mismatch ? shape.mismatch(value) : shape.is(value) ? undefined : `the answer is not ${shape.name}`
      if (mismatch !== undefined) {
        throw new JiraError(
          'error',
          `${method} ${this.url(path)} answered an unexpected shape: ${this.redactor.excerpt(mismatch)}.`,
          `Check ${this.words.input('jira-url')} points at Jira itself and not at a proxy or another service.`,
          { issueKey: options.issueKey, status: response.status }
        )
      }
    }
    return value
  }

  /**
   * Sends one request and returns Jira's answer when Jira did what was asked. Throws the
   * diagnosed JiraError otherwise.
   */
  async answer(method: string, path: string, options: RequestOptions = {}): Promise<JiraResponse> {
    const { response, baseString, url, mayHaveArrived } = await this.exchange(method, path, options)
    const failure = diagnose(response, {
      issueKey: options.issueKey,
      anonymousExpected: options.anonymousExpected,
      redactor: this.redactor,
      words: this.words,
      credentials: { mode: this.auth.mode, cloud: this.cloud, gateway: this.route.triedGateway === true },
      signed: { url, baseUrl: this.baseUrl, baseString, fingerprint: () => this.auth.fingerprint }
    })
    if (failure) throw mayHaveArrived ? new JiraError(failure.kind, failure.reason, failure.remedy, { ...failure.details, mayHaveArrived }) : failure
    return response
  }

  /**
   * Sends one request and returns the answer undiagnosed (retries included): for endpoints
   * that are not Jira's REST API, such as an OAuth 2.0 token endpoint.
   */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<JiraResponse> {
    return (await this.exchange(method, path, options)).response
  }
}

/** A path and query under a base URL. */
function joinUrl(base: string, path: string, query?: Record<string, string>): string {
  const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : ''
  return `${base}${path}${search}`
}

/** Sleeps, or rejects as soon as the signal aborts. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopped = (): Error => new Stopped(signal?.reason)
    if (signal?.aborted) return reject(stopped())
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(stopped())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** The run's time limit passed while a request was in flight. */
class DeadlinePassed extends Error {}

/** Rejects with DeadlinePassed when the run's time limit passes first. */
async function withDeadline<T>(promise: Promise<T>, ms: number, timeLimit: NonNullable<RetryPolicy['timeLimit']>): Promise<T> {
  const answered = new AbortController()
  const deadline = timeLimit(ms, answered.signal).then(() => {
    throw new DeadlinePassed()
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    answered.abort()
  }
}

/** The time limit on the real clock; its timer never keeps the process alive. */
function realTimeLimit(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true })
  })
}

/** A 429, or a 503 with Retry-After: Jira turned the request away before doing anything. */
function certainlyUnprocessed(response: JiraResponse): boolean {
  return response.status === 429 || (response.status === 503 && response.headers['retry-after'] !== undefined)
}

/** A gateway's 502 or 504, or a 500, may come after Jira did the work; a 4xx or a refusal with Retry-After did not. */
function mayHaveBeenProcessed(response: JiraResponse): boolean {
  return response.status >= 500 && !certainlyUnprocessed(response)
}

function isRetryableThrow(thrown: unknown): boolean {
  const code = codeOf(thrown) ?? ''
  return RETRYABLE_CODES.has(code) || (thrown instanceof Error && /timeout|socket hang up/i.test(thrown.message))
}

/**
 * How long to wait before retrying an answer: Retry-After in seconds or as an HTTP date,
 * Jira Cloud's X-RateLimit-Reset, or exponential backoff with jitter.
 */
export function retryDelay(response: JiraResponse, attempt: number, retry: Pick<RetryPolicy, 'now' | 'random'>): number {
  const retryAfter = response.headers['retry-after']?.trim()
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000
    const at = Date.parse(retryAfter)
    if (!Number.isNaN(at)) return Math.max(0, at - retry.now())
  }
  const reset = Date.parse(response.headers['x-ratelimit-reset'] ?? '')
  if (!Number.isNaN(reset)) return Math.max(0, reset - retry.now())
  return backoff(attempt, retry)
}

function backoff(attempt: number, retry: Pick<RetryPolicy, 'random'>): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)
  // "Equal jitter": at least half the ceiling, so retries neither bunch up nor vanish.
  return Math.round(ceiling / 2 + (retry.random() * ceiling) / 2)
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`
}

function parseJson<T>(response: JiraResponse, url: string, redactor: Redactor, words: Words, issueKey?: string): T | undefined {
  if (response.body.trim() === '') return undefined
  try {
    return JSON.parse(response.body) as T
  } catch {
    const title = htmlTitle(response.body)
    const what = title === undefined ? 'something that is not JSON' : `an HTML page titled "${redactor.excerpt(title, 160)}"`
    throw new JiraError(
      'error',
      `Jira answered ${url} with ${what} instead of JSON.`,
      `A login page or a maintenance page usually means an SSO proxy stands in front of Jira or ${words.input('jira-url')} points at the wrong place.`,
      { issueKey, status: response.status }
    )
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

/** Turns a transport failure into a JiraError, by its code only: library messages may carry headers. */
export function networkError(
  thrown: unknown,
  baseUrl: string,
  words: Words = ACTION_WORDS,
  issueKey?: string,
  urlInput = 'jira-url',
  mayHaveArrived = false
): JiraError {
  const code = codeOf(thrown)
  if (code && TLS_CODES.has(code)) {
    return new JiraError(
      'network',
      `The TLS certificate of ${baseUrl} could not be verified (${code}).`,
      `If Jira uses an internal CA, pass its certificate in PEM as ${words.input('ca-certificate')}, or point NODE_EXTRA_CA_CERTS at the file. Certificate checks cannot be turned off.`,
      { issueKey }
    )
  }
  if (code === 'ERR_BODY_TOO_LARGE') {
    return new JiraError(
      'error',
      `Jira's answer from ${baseUrl} was cut off: it is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB, far more than any answer this tool asks for.`,
      `Check ${words.input(urlInput)} points at Jira itself; a proxy or another service answered.`,
      { issueKey, mayHaveArrived }
    )
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'timed out',
    ESOCKETTIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable',
    ERR_STREAM_PREMATURE_CLOSE: 'the connection closed in the middle of the answer'
  }
  const timedOut = thrown instanceof Error && /timeout/i.test(thrown.message)
  const reason = code ? (reasons[code] ?? code) : timedOut ? 'timed out' : 'the connection failed'
  return new JiraError(
    'network',
    `Could not reach Jira at ${baseUrl}: ${reason}.`,
    `Check ${words.input(urlInput)}, and that this machine can reach Jira (a proxy needs HTTPS_PROXY; a self-hosted runner or agent may need to be inside the firewall).`,
    { issueKey, mayHaveArrived }
  )
}
