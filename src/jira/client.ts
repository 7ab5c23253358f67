import type { Authenticator } from './auth.js'
import { diagnose, htmlTitle, type JiraResponse } from './diagnose.js'
import { JiraError } from './errors.js'
import type { Transport } from './transport.js'

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
}

/** A Jira REST client: builds URLs under the base URL, authorizes, sends and diagnoses. */
export class JiraClient {
  constructor(
    readonly baseUrl: string,
    private readonly auth: Authenticator,
    private readonly transport: Transport
  ) {}

  /** The full URL of a path under the base URL (context path included). */
  url(path: string, query?: Record<string, string>): string {
    const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : ''
    return `${this.baseUrl}${path}${search}`
  }

  /** Sends one request and returns Jira's answer, whatever it is. Network failures throw JiraError. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<JiraResponse> {
    const url = this.url(path, options.query)
    const headers: Record<string, string> = { Accept: 'application/json' }
    let body: string | undefined
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(options.form).toString()
    }
    headers.Authorization = this.auth.authorize({ method, url, form: options.form, oauthParams: options.oauthParams })
    try {
      return await this.transport.send({ method, url, headers, body })
    } catch (thrown) {
      throw networkError(thrown, this.baseUrl, options.issueKey)
    }
  }

  /**
   * Sends one request and returns its JSON answer (undefined for an empty one). Throws the
   * diagnosed JiraError when Jira refused, and says so when the answer is not JSON.
   */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T | undefined> {
    const response = await this.send(method, path, options)
    const failure = diagnose(response, options.issueKey)
    if (failure) throw failure
    return parseJson<T>(response, this.url(path), options.issueKey)
  }
}

function parseJson<T>(response: JiraResponse, url: string, issueKey?: string): T | undefined {
  if (response.body.trim() === '') return undefined
  try {
    return JSON.parse(response.body) as T
  } catch {
    const title = htmlTitle(response.body)
    const what = title === undefined ? 'something that is not JSON' : `an HTML page titled "${title}"`
    throw new JiraError(
      'error',
      `Jira answered ${url} with ${what} instead of JSON.`,
      'A login page or a maintenance page usually means an SSO proxy stands in front of Jira or jira-url points at the wrong place.',
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
export function networkError(thrown: unknown, baseUrl: string, issueKey?: string): JiraError {
  const code = typeof thrown === 'object' && thrown !== null && 'code' in thrown ? String(thrown.code) : undefined
  if (code && TLS_CODES.has(code)) {
    return new JiraError(
      'network',
      `The TLS certificate of ${baseUrl} could not be verified (${code}).`,
      'If Jira uses an internal CA, pass its certificate in PEM as ca-certificate, or point NODE_EXTRA_CA_CERTS at the file. Certificate checks cannot be turned off.',
      { issueKey }
    )
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'timed out',
    ESOCKETTIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable'
  }
  const timedOut = thrown instanceof Error && /timeout/i.test(thrown.message)
  const reason = code ? (reasons[code] ?? code) : timedOut ? 'timed out' : 'the connection failed'
  return new JiraError(
    'network',
    `Could not reach Jira at ${baseUrl}: ${reason}.`,
    'Check jira-url, and that the runner can reach Jira (a proxy needs HTTPS_PROXY; a self-hosted runner may need to be inside the firewall).',
    { issueKey }
  )
}
