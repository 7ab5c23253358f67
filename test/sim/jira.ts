/**
 * A Jira Server / Data Center stand-in on 127.0.0.1 for the tests, the demo and the
 * benchmark: OAuth 1.0a RSA-SHA1 verified with its own code, the timestamp window and nonce
 * reuse enforced, the OAuth dance, PAT and basic auth, the REST endpoints the action uses,
 * and the failures Jira really answers with (CAPTCHA lockout, oauth_problem, anonymous
 * fallback, 429, 503, slowness), with Jira's headers and status codes.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { defaultFields, defaultIssues, type SimFieldDef, type SimIssue, type SimRemoteLink } from './fixtures.js'
import { parseOAuthHeader, rfc3986, serverBaseString, verifyRsaSha1, formDecode } from './oauth-verify.js'

export interface SimulatorOptions {
  /** PEM of the public key registered on the application link. */
  publicKeyPem?: string
  consumerKey?: string
  /** Access tokens already authorized, and the user each acts as. */
  accessTokens?: Record<string, string>
  personalAccessTokens?: Record<string, string>
  /** Basic auth users and their passwords or API tokens. */
  basicUsers?: Record<string, string>
  /**
   * Basic auth switched off: Data Center's documented 403 ("Basic Authentication has been
   * disabled on this instance."), or a bare 401 with no Seraph reason, right token or not.
   */
  basicAuthDisabled?: boolean | 'bare-401'
  /** Service accounts' OAuth 2.0 credentials by client id: the secret, the user they act as, their scopes. */
  serviceAccounts?: Record<string, SimServiceAccount>
  /** Seconds an issued client-credentials token lives (Jira: about an hour). */
  tokenLifetimeSeconds?: number
  /** Cloud: the site's cloudId, served at /_edge/tenant_info; the gateway path /ex/jira/{cloudId} leads here. */
  cloudId?: string
  /** Cloud: scoped API tokens by user, which work only through the gateway. */
  scopedApiTokens?: Record<string, string>
  /** A rate limit on REST calls, as a token bucket, answered with 429s in one of Jira's header styles. */
  rateLimit?: SimRateLimit
  /** Milliseconds since the epoch as the rate limiter reads them; a test's fake clock. */
  msClock?: () => number
  /** Failed basic logins before the CAPTCHA locks the account (Jira's default is 3). */
  captchaAfter?: number
  contextPath?: string
  issues?: SimIssue[]
  fields?: SimFieldDef[]
  /** Seconds since the epoch as the server's clock reads it. */
  clock?: () => number
  latencyMs?: number
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string }
  /** Issues per page the search endpoint returns at most. */
  maxSearchResults?: number
  /**
   * Jira behind a reverse proxy: the base URL Jira was configured with, which it signs over
   * and names as the realm, whatever Host the client used.
   */
  publicUrl?: string
  /** Query parameters a proxy in front adds to every request, which Jira then signs over. */
  proxyAddsQuery?: Record<string, string>
  /** Cloud: /rest/api/2/search answers 410, search pages by nextPageToken, users by accountId. */
  deployment?: 'Server' | 'Cloud'
  /** Jira Cloud's users, for user search and user pickers. */
  cloudUsers?: SimCloudUser[]
  /** The port on 127.0.0.1; a free one when absent. */
  port?: number
}

export interface SimServiceAccount {
  secret: string
  /** The user the account acts as (Cloud: an accountId-like name). */
  user: string
  /** Scopes the credential has; a token asks for some or all of them. */
  scopes?: string[]
}

export interface SimRateLimit {
  /** Requests a second the bucket refills with. */
  perSecond: number
  /** Requests the bucket holds; perSecond when absent. */
  burst?: number
  /** Data Center's and Cloud's Retry-After (whole seconds), or Cloud's X-RateLimit-Reset (ISO 8601). */
  style: 'retry-after' | 'reset'
  /** Cloud's RateLimit-Reason; jira-burst-based when absent. */
  reason?: string
}

export interface SimCloudUser {
  accountId: string
  displayName: string
  emailAddress?: string
}

/** One request as the simulator saw it. */
export interface SeenRequest {
  method: string
  /** Path under the context path, query included. */
  path: string
  status: number
  user?: string
  oauthProblem?: string
  authorization?: string
  nonce?: string
  timestamp?: string
  body: string
  contentType?: string
  /** Sent through Cloud's API gateway (/ex/jira/{cloudId}), which path leaves out. */
  gateway?: boolean
}

export interface InjectedResponse {
  status: number
  headers?: Record<string, string>
  body?: string
  /** Drop the connection instead of answering. */
  reset?: boolean
  /** Send the headers and part of the body, then reset the connection or close it early (FIN). */
  cut?: 'reset' | 'fin'
  /** A 200 whose body never ends (until the client goes, or 512 MiB, or 60 s). */
  endless?: boolean
  /** Answer with the request echoed back, Authorization header included, as some proxies and WAFs do. */
  echo?: boolean
  /** Only for requests whose path contains this. */
  pathIncludes?: string
  delayMs?: number
  /** Answer only once this settles: a test orders answers by events, not by time. */
  until?: Promise<unknown>
}

export type SimMode = 'normal' | 'captcha' | 'anonymous'

interface RequestToken {
  consumerKey: string
  secret: string
  createdAt: number
  verifier?: string
  user?: string
  used: boolean
}

const REQUEST_TOKEN_LIFETIME = 600
const ACCESS_TOKEN_LIFETIME = 157_680_000

export class JiraSimulator {
  mode: SimMode = 'normal'
  latencyMs: number
  /** TCP connections accepted, to see whether clients keep them alive. */
  connections = 0
  readonly requests: SeenRequest[] = []
  readonly issues = new Map<string, SimIssue>()
  readonly fields: SimFieldDef[]
  readonly accessTokens: Map<string, string>
  readonly requestTokens = new Map<string, RequestToken>()
  /** Client-credentials access tokens issued, with the user and when they expire (simulator clock, seconds). */
  readonly issuedTokens = new Map<string, { user: string; expiresAt: number }>()
  /** Token requests answered, successful or not. */
  tokenRequests = 0
  /** Answers 429 from the rate limit. */
  rateLimited = 0
  private bucket?: { tokens: number; at: number }
  private readonly injected: InjectedResponse[] = []
  private readonly seenNonces = new Set<string>()
  private readonly failedLogins = new Map<string, number>()
  private readonly publicKey?: KeyObject
  private readonly server: Server
  private readonly clock: () => number
  baseUrl = ''

  private constructor(readonly options: SimulatorOptions) {
    this.publicKey = options.publicKeyPem ? createPublicKey(options.publicKeyPem) : undefined
    this.accessTokens = new Map(Object.entries(options.accessTokens ?? {}))
    this.fields = options.fields ?? defaultFields()
    for (const issue of options.issues ?? defaultIssues()) this.issues.set(issue.key, issue)
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000))
    this.latencyMs = options.latencyMs ?? 0
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res)
    this.server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler)
    this.server.keepAliveTimeout = 30_000
    this.server.on(options.tls ? 'secureConnection' : 'connection', () => this.connections++)
  }

  /** Starts a simulator on 127.0.0.1 at a free port. */
  static async start(options: SimulatorOptions = {}): Promise<JiraSimulator> {
    const sim = new JiraSimulator(options)
    await new Promise<void>(resolve => sim.server.listen(options.port ?? 0, '127.0.0.1', resolve))
    const { port } = sim.server.address() as AddressInfo
    sim.baseUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${sim.contextPath}`
    return sim
  }

  get contextPath(): string {
    return this.options.contextPath ?? '/jira'
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  /** Answers the next matching requests with these responses, in order. */
  inject(...responses: InjectedResponse[]): void {
    this.injected.push(...responses)
  }

  /** Drops responses injected but not yet served. */
  clearInjected(): void {
    this.injected.length = 0
  }

  /** Revokes an access token, as a user does under Profile → Tools → View OAuth Access Tokens. */
  revoke(token: string): void {
    this.accessTokens.delete(token)
  }

  /** Makes every issued client-credentials token expire now, as if its hour were up. */
  expireTokens(): void {
    for (const entry of this.issuedTokens.values()) entry.expiresAt = this.clock() - 1
  }

  /** Requests whose path (under the context path) starts with this. */
  requestsTo(prefix: string, method?: string): SeenRequest[] {
    return this.requests.filter(r => r.path.startsWith(prefix) && (!method || r.method === method))
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let rawUrl = req.url ?? '/'
    // Cloud's gateway: /ex/jira/{cloudId}/rest/… reaches the site's /rest/….
    const gatewayPrefix = this.options.cloudId ? `/ex/jira/${this.options.cloudId}/` : undefined
    const gateway = gatewayPrefix !== undefined && rawUrl.startsWith(gatewayPrefix)
    if (gateway) rawUrl = `${this.contextPath}/${rawUrl.slice(gatewayPrefix.length)}`
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      gateway,
      path: rawUrl.startsWith(this.contextPath) ? rawUrl.slice(this.contextPath.length) : rawUrl,
      status: 0,
      authorization: req.headers.authorization,
      body,
      contentType: req.headers['content-type']
    }
    this.requests.push(seen)
    const injected = this.injected.findIndex(r => !r.pathIncludes || seen.path.includes(r.pathIncludes))
    if (injected >= 0) {
      const [response] = this.injected.splice(injected, 1)
      await sleep(response.delayMs ?? 0)
      if (response.until) await response.until
      if (response.reset) {
        seen.status = -1
        req.socket.destroy()
        return
      }
      seen.status = response.status
      if (response.endless) return endlessBody(res)
      const text = response.echo ? echoOf(req, body) : (response.body ?? '')
      if (response.cut) {
        res.writeHead(response.status, { ...response.headers, 'Content-Length': String(Buffer.byteLength(text) + 1000) })
        res.write(text)
        // Let the part written reach the client, then break the connection before the end.
        setTimeout(() => (response.cut === 'reset' ? req.socket.resetAndDestroy() : req.socket.end()), 20)
        return
      }
      res.writeHead(response.status, response.headers ?? {})
      res.end(text)
      return
    }
    await sleep(this.latencyMs)
    const reply = this.limitRate(seen) ?? this.route(req, seen, rawUrl, body)
    seen.status = reply.status
    const headers: Record<string, string> = { ...reply.headers }
    if (reply.notJira) {
      // The servlet container answered, not Jira: none of Jira's headers.
    } else if (seen.user) {
      headers['X-AUSERNAME'] = seen.user
      headers['X-Seraph-LoginReason'] ??= 'OK'
    } else {
      headers['X-AUSERNAME'] ??= 'anonymous'
    }
    let text = ''
    if (reply.json !== undefined) {
      headers['Content-Type'] = 'application/json;charset=UTF-8'
      text = JSON.stringify(reply.json)
    } else if (reply.text !== undefined) {
      text = reply.text
    }
    res.writeHead(reply.status, headers)
    res.end(text)
  }

  /** A 429 when the bucket is empty, in the configured header style; REST calls only. */
  private limitRate(seen: SeenRequest): Reply | undefined {
    const limit = this.options.rateLimit
    if (!limit || !seen.path.startsWith('/rest/api/')) return undefined
    const now = (this.options.msClock ?? Date.now)()
    const burst = limit.burst ?? limit.perSecond
    const bucket = (this.bucket ??= { tokens: burst, at: now })
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * limit.perSecond) / 1000)
    bucket.at = now
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return undefined
    }
    this.rateLimited++
    const waitMs = ((1 - bucket.tokens) * 1000) / limit.perSecond
    const headers: Record<string, string> = {
      'RateLimit-Reason': limit.reason ?? 'jira-burst-based',
      'X-RateLimit-Limit': String(burst),
      'X-RateLimit-Remaining': '0'
    }
    if (limit.style === 'retry-after') headers['Retry-After'] = String(Math.ceil(waitMs / 1000))
    else headers['X-RateLimit-Reset'] = new Date(now + waitMs).toISOString()
    return { status: 429, headers, json: { errorMessages: ['Rate limit exceeded.'], errors: {} } }
  }

  private route(req: IncomingMessage, seen: SeenRequest, rawUrl: string, body: string): Reply {
    // Atlassian's own endpoints, outside the site's context path.
    if (rawUrl === '/_edge/tenant_info' && this.options.cloudId) return { notJira: true, status: 200, json: { cloudId: this.options.cloudId } }
    if (rawUrl === '/oauth/token' && seen.method === 'POST') return this.clientCredentialsToken(seen, body, 'cloud')
    if (!rawUrl.startsWith(`${this.contextPath}/`)) return tomcatNotFound(rawUrl)
    if (this.mode === 'captcha') return captcha(this.baseUrl)

    const [path, query = ''] = seen.path.split('?', 2)
    const method = seen.method

    // Data Center service accounts: OAuth 2.0 client credentials.
    if (path === '/rest/oauth2/latest/token' && method === 'POST') return this.clientCredentialsToken(seen, body, 'data-center')
    // The OAuth dance: its endpoints authenticate the consumer, not a user.
    if (path === '/plugins/servlet/oauth/request-token' && method === 'POST') return this.requestToken(req, seen, rawUrl, body)
    if (path === '/plugins/servlet/oauth/access-token' && method === 'POST') return this.accessToken(req, seen, rawUrl, body)
    if (path === '/plugins/servlet/oauth/authorize' && method === 'GET') return this.authorizePage(query)

    const auth = this.authenticate(req, seen, rawUrl, body)
    if (auth) return auth
    if (this.mode === 'anonymous') seen.user = undefined
    return this.rest(method, path, query, body, seen)
  }

  /** Checks the Authorization header; returns a refusal, or undefined with seen.user set or not. */
  private authenticate(req: IncomingMessage, seen: SeenRequest, rawUrl: string, body: string): Reply | undefined {
    const header = req.headers.authorization
    if (!header) return undefined
    if (/^Bearer /i.test(header)) {
      const bearer = header.slice(7).trim()
      const issued = this.issuedTokens.get(bearer)
      if (issued) {
        if (this.clock() >= issued.expiresAt) {
          return {
            status: 401,
            headers: { 'WWW-Authenticate': 'Bearer realm="jira", error="invalid_token", error_description="The access token expired"' },
            json: { message: 'The access token expired' }
          }
        }
        // Cloud's service-account tokens work only through the gateway.
        if (this.options.deployment === 'Cloud' && !seen.gateway) {
          return { status: 401, json: { code: 401, message: 'Unauthorized; scope does not match' } }
        }
        seen.user = issued.user
        return undefined
      }
      const user = this.options.personalAccessTokens?.[bearer]
      if (!user)
        return {
          status: 401,
          headers: { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED', 'WWW-Authenticate': 'OAuth realm="jira"' },
          json: { message: 'Unauthorized' }
        }
      seen.user = user
      return undefined
    }
    if (/^Basic /i.test(header)) return this.basic(header, seen)
    const oauth = this.verifyOAuth(req, seen, rawUrl, body, true)
    if ('refusal' in oauth) return oauth.refusal
    seen.user = this.accessTokens.get(oauth.token ?? '')
    return undefined
  }

  private basic(header: string, seen: SeenRequest): Reply | undefined {
    if (this.options.basicAuthDisabled === 'bare-401') return { status: 401, headers: { 'WWW-Authenticate': 'OAuth realm="jira"' }, text: '' }
    if (this.options.basicAuthDisabled) return { status: 403, json: { message: 'Basic Authentication has been disabled on this instance.' } }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
    const at = decoded.indexOf(':')
    const [user, password] = [decoded.slice(0, at), decoded.slice(at + 1)]
    // Cloud: a scoped API token is refused at the site and accepted through the gateway.
    const scoped = this.options.scopedApiTokens?.[user]
    if (scoped !== undefined && scoped === password) {
      if (!seen.gateway) return { status: 401, json: { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} } }
      seen.user = user
      return undefined
    }
    const failures = this.failedLogins.get(user) ?? 0
    if (failures >= (this.options.captchaAfter ?? 3)) return captcha(this.baseUrl)
    if (this.options.basicUsers?.[user] !== password || at < 0) {
      this.failedLogins.set(user, failures + 1)
      return { status: 401, headers: { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED' }, text: '<html><head><title>Unauthorized (401)</title></head></html>' }
    }
    this.failedLogins.set(user, 0)
    seen.user = user
    return undefined
  }

  /**
   * OAuth 2.0 client credentials (RFC 6749 §4.4): Data Center's /rest/oauth2/latest/token, or
   * Cloud's https://auth.atlassian.com/oauth/token, which also wants audience=api.atlassian.com.
   */
  private clientCredentialsToken(seen: SeenRequest, body: string, endpoint: 'data-center' | 'cloud'): Reply {
    this.tokenRequests++
    const form = new Map(formDecode(body))
    const error = (status: number, code: string, description: string): Reply => ({
      status,
      notJira: true,
      json: { error: code, error_description: description }
    })
    if (!(seen.contentType ?? '').startsWith('application/x-www-form-urlencoded')) return error(400, 'invalid_request', 'Expected a form body')
    if (form.get('grant_type') !== 'client_credentials') return error(400, 'unsupported_grant_type', 'Unsupported grant type')
    const account = this.options.serviceAccounts?.[form.get('client_id') ?? '']
    if (!account || account.secret !== form.get('client_secret')) return error(401, 'invalid_client', 'Client authentication failed')
    if (endpoint === 'cloud' && form.get('audience') !== 'api.atlassian.com') return error(403, 'access_denied', 'Unauthorized audience')
    const asked = form.get('scope')?.split(' ') ?? account.scopes ?? []
    if (asked.some(scope => !(account.scopes ?? []).includes(scope))) return error(400, 'invalid_scope', 'The requested scope is invalid')
    const token = randomBytes(24).toString('base64url')
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600
    this.issuedTokens.set(token, { user: account.user, expiresAt: this.clock() + lifetime })
    return { status: 200, notJira: true, json: { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: asked.join(' ') } }
  }

  /** net.oauth's checks, in its order, against the simulator's own base string. */
  private verifyOAuth(
    req: IncomingMessage,
    seen: SeenRequest,
    rawUrl: string,
    body: string,
    requireAccessToken: boolean
  ): { refusal: Reply } | { token?: string; params: Map<string, string> } {
    const params = parseOAuthHeader(req.headers.authorization)
    if (!params) return { refusal: this.oauthProblem(401, 'parameter_absent', seen) }
    seen.nonce = params.get('oauth_nonce')
    seen.timestamp = params.get('oauth_timestamp')
    if (params.has('oauth_version') && params.get('oauth_version') !== '1.0') return { refusal: this.oauthProblem(400, 'version_rejected', seen) }
    if (params.get('oauth_signature_method') !== 'RSA-SHA1') return { refusal: this.oauthProblem(400, 'signature_method_rejected', seen) }
    for (const required of ['oauth_consumer_key', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce']) {
      if (!params.has(required)) return { refusal: this.oauthProblem(400, 'parameter_absent', seen, { oauth_parameters_absent: required }) }
    }
    const timestamp = Number(params.get('oauth_timestamp'))
    const now = this.clock()
    if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > 300) {
      return { refusal: this.oauthProblem(400, 'timestamp_refused', seen, { oauth_acceptable_timestamps: `${now - 300}-${now + 300}` }) }
    }
    const token = params.get('oauth_token')
    const nonceKey = [params.get('oauth_consumer_key'), token, timestamp, params.get('oauth_nonce')].join('|')
    if (this.seenNonces.has(nonceKey)) return { refusal: this.oauthProblem(401, 'nonce_used', seen) }
    this.seenNonces.add(nonceKey)
    if (params.get('oauth_consumer_key') !== (this.options.consumerKey ?? 'jira-build-result') || !this.publicKey) {
      return { refusal: this.oauthProblem(401, 'consumer_key_unknown', seen) }
    }
    if (requireAccessToken && (!token || !this.accessTokens.has(token))) return { refusal: this.oauthProblem(401, 'token_rejected', seen) }
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    const [pathOnly, query = ''] = rawUrl.split('?', 2)
    // Behind a reverse proxy Jira knows itself by its configured base URL, not the Host it got.
    const origin = this.options.publicUrl ? new URL(this.options.publicUrl).origin : `${this.options.tls ? 'https' : 'http'}://${req.headers.host}`
    const added = this.options.proxyAddsQuery ? new URLSearchParams(this.options.proxyAddsQuery).toString() : ''
    const baseString = serverBaseString({
      method: req.method ?? 'GET',
      baseUri: `${origin}${pathOnly}`,
      query: [query, added].filter(part => part !== '').join('&'),
      formBody: isForm ? body : undefined,
      oauthParams: params
    })
    if (!verifyRsaSha1(baseString, params.get('oauth_signature') ?? '', this.publicKey)) {
      return { refusal: this.oauthProblem(401, 'signature_invalid', seen, { oauth_signature_base_string: baseString }) }
    }
    return { token, params }
  }

  private oauthProblem(status: number, problem: string, seen: SeenRequest, extra: Record<string, string> = {}): Reply {
    seen.oauthProblem = problem
    const realm = rfc3986(this.options.publicUrl ?? this.baseUrl)
    const pairs = { oauth_problem: problem, ...extra }
    const challenge = Object.entries(pairs)
      .map(([k, v]) => `${k}="${rfc3986(v)}"`)
      .join(', ')
    return {
      status,
      headers: { 'WWW-Authenticate': `OAuth realm="${realm}", ${challenge}`, 'Content-Type': 'text/plain' },
      text: Object.entries(pairs)
        .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
        .join('&')
    }
  }

  private requestToken(req: IncomingMessage, seen: SeenRequest, rawUrl: string, body: string): Reply {
    const checked = this.verifyOAuth(req, seen, rawUrl, body, false)
    if ('refusal' in checked) return checked.refusal
    if (checked.params.get('oauth_callback') === undefined)
      return this.oauthProblem(400, 'parameter_absent', seen, { oauth_parameters_absent: 'oauth_callback' })
    const token = randomBytes(16).toString('hex')
    const secret = randomBytes(16).toString('hex')
    this.requestTokens.set(token, { consumerKey: checked.params.get('oauth_consumer_key') ?? '', secret, createdAt: this.clock(), used: false })
    return { status: 200, headers: { 'Content-Type': 'text/plain' }, text: `oauth_token=${token}&oauth_token_secret=${secret}&oauth_callback_confirmed=true` }
  }

  /** The approval page; the simulator approves as the first access token's user, as if they clicked Allow. */
  private authorizePage(query: string): Reply {
    const token = new URLSearchParams(query).get('oauth_token') ?? ''
    const entry = this.requestTokens.get(token)
    if (!entry || entry.used || this.clock() - entry.createdAt > REQUEST_TOKEN_LIFETIME) {
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        text: '<html><head><title>OAuth</title></head><body>The request token is invalid or has expired.</body></html>'
      }
    }
    entry.verifier = randomBytes(3).toString('hex')
    entry.user = [...this.accessTokens.values()][0] ?? 'ci-bot'
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html' },
      text: `<html><head><title>OAuth Access Approved</title></head><body><p>You have successfully authorized 'jira-build-result'. Your verification code is '${entry.verifier}'. You will need to enter this exact text when prompted.</p></body></html>`
    }
  }

  private accessToken(req: IncomingMessage, seen: SeenRequest, rawUrl: string, body: string): Reply {
    const checked = this.verifyOAuth(req, seen, rawUrl, body, false)
    if ('refusal' in checked) return checked.refusal
    const token = checked.params.get('oauth_token') ?? ''
    const entry = this.requestTokens.get(token)
    if (!entry) return this.oauthProblem(401, 'token_rejected', seen)
    if (entry.used) return this.oauthProblem(401, 'token_used', seen)
    if (this.clock() - entry.createdAt > REQUEST_TOKEN_LIFETIME) return this.oauthProblem(401, 'token_expired', seen)
    if (!entry.verifier || !entry.user) return this.oauthProblem(401, 'permission_unknown', seen)
    if (checked.params.get('oauth_verifier') !== entry.verifier) return this.oauthProblem(401, 'token_rejected', seen)
    entry.used = true
    const accessToken = randomBytes(16).toString('hex')
    this.accessTokens.set(accessToken, entry.user)
    const session = randomBytes(8).toString('hex')
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      text: `oauth_token=${accessToken}&oauth_token_secret=${entry.secret}&oauth_expires_in=${ACCESS_TOKEN_LIFETIME}&oauth_session_handle=${session}&oauth_authorization_expires_in=${ACCESS_TOKEN_LIFETIME}`
    }
  }

  private rest(method: string, path: string, query: string, body: string, seen: SeenRequest): Reply {
    const user = seen.user
    if (path === '/rest/api/2/myself' && method === 'GET') {
      if (!user) return { status: 401, json: { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} } }
      return {
        status: 200,
        json: {
          name: user,
          key: user,
          displayName: user.replace(/(^|-)(\w)/g, (_, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`),
          active: true
        }
      }
    }
    if (path === '/rest/api/2/field' && method === 'GET') {
      return { status: 200, json: this.fields.map(({ id, name, custom, schema }) => ({ id, name, custom, schema })) }
    }
    if (path === '/rest/api/2/serverInfo' && method === 'GET') {
      const cloud = this.options.deployment === 'Cloud'
      const version = cloud ? '1001.0.0-SNAPSHOT' : '9.12.2'
      const versionNumbers = version.split(/[.-]/).slice(0, 3).map(Number)
      const deploymentType = cloud ? 'Cloud' : 'Server'
      return { status: 200, json: { baseUrl: this.options.publicUrl ?? this.baseUrl, version, versionNumbers, deploymentType, serverTitle: 'Jira' } }
    }
    if (/^\/rest\/api\/[23]\/search$/.test(path) && this.options.deployment === 'Cloud') {
      return {
        status: 410,
        json: {
          errorMessages: [
            'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046'
          ],
          errors: {}
        }
      }
    }
    if (path === '/rest/api/2/search' && method === 'GET') return this.search(query, user)
    if (path === '/rest/api/3/search/jql' && method === 'GET' && this.options.deployment === 'Cloud') return this.searchByToken(query, user)
    if (path === '/rest/api/3/user/search' && method === 'GET' && this.options.deployment === 'Cloud') {
      const wanted = (new Map(formDecode(query)).get('query') ?? '').toLowerCase()
      const found = (this.options.cloudUsers ?? []).filter(
        u => u.displayName.toLowerCase().includes(wanted) || u.emailAddress?.toLowerCase().startsWith(wanted)
      )
      return { status: 200, json: found.map(u => ({ ...u, accountType: 'atlassian', active: true })) }
    }

    const match = /^\/rest\/api\/2\/issue\/([^/]+)(\/editmeta|\/remotelink|\/comment)?$/.exec(path)
    if (!match) return { status: 404, json: { errorMessages: ['null for uri'], errors: {} } }
    // An issue by key or, as its `self` link has it, by id.
    const wanted = decodeURIComponent(match[1]).toUpperCase()
    const issue = this.issues.get(wanted) ?? [...this.issues.values()].find(candidate => candidate.id === wanted)
    // Jira hides an issue from anyone who cannot browse it: anonymous users see 404.
    if (!issue || !user) return { status: 404, json: { errorMessages: ['Issue Does Not Exist'], errors: {} } }

    if (match[2] === '/remotelink') return this.remoteLink(issue, method, query, body)
    if (match[2] === '/comment') return this.comment(issue, method, body, user)
    if (match[2] && method === 'GET') return { status: 200, json: this.editMeta() }
    if (!match[2] && method === 'GET') {
      // ?fields=a,b limits the fields; ?expand=editmeta adds the edit metadata in the same answer.
      const params = new Map(formDecode(query))
      const wanted = params.get('fields')?.split(',')
      const fields = Object.fromEntries(Object.entries(issue.fields).filter(([id]) => !wanted || wanted.includes(id)))
      if (!wanted || wanted.includes('issuetype')) fields.issuetype = { name: issue.issueType }
      const expand = params.get('expand')?.split(',') ?? []
      const self = `${this.options.publicUrl ?? this.baseUrl}/rest/api/2/issue/${issue.id}`
      return { status: 200, json: { id: issue.id, key: issue.key, self, fields, ...(expand.includes('editmeta') ? { editmeta: this.editMeta() } : {}) } }
    }
    if (!match[2] && method === 'PUT') return this.editIssue(issue, body, seen)
    return { status: 405, text: '' }
  }

  private editMeta(): { fields: Record<string, unknown> } {
    const fields: Record<string, unknown> = {}
    for (const field of this.fields.filter(f => f.onScreen)) {
      const allowedValues = field.allowedValues?.map(v => ({ self: `${this.baseUrl}/rest/api/2/customFieldOption/${v.id}`, ...v }))
      // Lists take Jira's update verbs too; a single value is only ever set.
      const operations = field.schema.type === 'array' ? ['add', 'set', 'remove'] : ['set']
      fields[field.id] = { required: false, schema: field.schema, name: field.name, operations, ...(allowedValues ? { allowedValues } : {}) }
    }
    return { fields }
  }

  private editIssue(issue: SimIssue, body: string, seen: SeenRequest): Reply {
    if (!(seen.contentType ?? '').startsWith('application/json')) return { status: 415, text: 'Unsupported Media Type' }
    if (issue.readOnly) return { status: 403, json: { errorMessages: ['You do not have permission to edit issues in this project.'], errors: {} } }
    let parsed: { fields?: Record<string, unknown>; update?: Record<string, unknown> }
    try {
      parsed = JSON.parse(body) as typeof parsed
    } catch {
      return { status: 400, json: { errorMessages: ['Unexpected character in JSON body'], errors: {} } }
    }
    const errors: Record<string, string> = {}
    const users = this.options.deployment === 'Cloud' ? (this.options.cloudUsers ?? []) : undefined
    const editable = (id: string): SimFieldDef | undefined => {
      const field = this.fields.find(f => f.id === id)
      if (!field || !field.onScreen) errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`
      return field?.onScreen ? field : undefined
    }
    for (const [id, value] of Object.entries(parsed.fields ?? {})) {
      const field = editable(id)
      const problem = field && checkValue(field, value, users)
      if (problem) errors[id] = problem
    }
    // Jira's update verbs: [{"add": x}, {"remove": y}, {"set": z}], never with the same field in fields.
    const verbs: Array<{ field: SimFieldDef; verb: string; value: unknown }> = []
    for (const [id, operations] of Object.entries(parsed.update ?? {})) {
      if (parsed.fields && id in parsed.fields) {
        errors[id] = `Field '${id}' cannot be set and updated in the same request.`
        continue
      }
      const field = editable(id)
      if (!field) continue
      if (!Array.isArray(operations)) {
        errors[id] = 'Operations must be an array.'
        continue
      }
      for (const operation of operations as unknown[]) {
        const [verb, value] = Object.entries((operation ?? {}) as Record<string, unknown>)[0] ?? []
        const allowed = field.schema.type === 'array' ? ['add', 'set', 'remove'] : ['set']
        if (!verb || !allowed.includes(verb)) {
          errors[id] = `Field '${id}' does not support operation '${verb ?? ''}'. Supported operation(s) are: '${allowed.join(',')}'`
          continue
        }
        const problem = checkValue(field, verb === 'set' ? value : [value], users)
        if (problem) errors[id] = problem
        else verbs.push({ field, verb, value })
      }
    }
    if (Object.keys(errors).length > 0) return { status: 400, json: { errorMessages: [], errors } }
    for (const [id, value] of Object.entries(parsed.fields ?? {})) issue.fields[id] = this.stored(id, value)
    for (const { field, verb, value } of verbs) {
      const current = Array.isArray(issue.fields[field.id]) ? (issue.fields[field.id] as unknown[]) : []
      const item = this.stored(field.id, [value]) as unknown[]
      const same = (a: unknown, b: unknown): boolean => JSON.stringify(identity(a)) === JSON.stringify(identity(b))
      if (verb === 'set') issue.fields[field.id] = this.stored(field.id, value)
      else if (verb === 'add') issue.fields[field.id] = current.some(existing => same(existing, item[0])) ? current : [...current, item[0]]
      else issue.fields[field.id] = current.filter(existing => !same(existing, item[0]))
    }
    return { status: 204 }
  }

  /** Remote issue links: POST upserts by globalId (201 created, 200 updated, the whole link replaced); GET lists them. */
  private remoteLink(issue: SimIssue, method: string, query: string, body: string): Reply {
    const links = (issue.remoteLinks ??= [])
    const self = (link: SimRemoteLink): string => `${this.baseUrl}/rest/api/2/issue/${issue.key}/remotelink/${link.id}`
    if (method === 'GET') {
      const globalId = new Map(formDecode(query)).get('globalId')
      return { status: 200, json: links.filter(link => globalId === undefined || link.globalId === globalId).map(link => ({ ...link, self: self(link) })) }
    }
    if (method !== 'POST') return { status: 405, text: '' }
    let parsed: Partial<SimRemoteLink>
    try {
      parsed = JSON.parse(body) as Partial<SimRemoteLink>
    } catch {
      return { status: 400, json: { errorMessages: ['Unexpected character in JSON body'], errors: {} } }
    }
    const errors: Record<string, string> = {}
    if (typeof parsed.object?.url !== 'string' || parsed.object.url === '') errors.url = "'url' is required."
    if (typeof parsed.object?.title !== 'string' || parsed.object.title === '') errors.title = "'title' is required."
    if (typeof parsed.globalId === 'string' && parsed.globalId.length > 255) errors.globalId = "'globalId' must be 255 characters or fewer."
    if (Object.keys(errors).length > 0 || !parsed.object) return { status: 400, json: { errorMessages: [], errors } }
    const existing = parsed.globalId === undefined ? undefined : links.find(link => link.globalId === parsed.globalId)
    // An update replaces the whole link: what the request leaves out is cleared.
    const link: SimRemoteLink = {
      id: existing?.id ?? 10000 + links.length,
      globalId: parsed.globalId,
      application: parsed.application,
      relationship: parsed.relationship,
      object: parsed.object
    }
    if (existing) links[links.indexOf(existing)] = link
    else links.push(link)
    return { status: existing ? 200 : 201, json: { id: link.id, self: self(link) } }
  }

  /** Comments: POST adds one every time (it is not idempotent); GET lists them. */
  private comment(issue: SimIssue, method: string, body: string, user: string): Reply {
    const comments = (issue.comments ??= [])
    if (method === 'GET') return { status: 200, json: { startAt: 0, maxResults: comments.length, total: comments.length, comments } }
    if (method !== 'POST') return { status: 405, text: '' }
    let parsed: { body?: unknown }
    try {
      parsed = JSON.parse(body) as { body?: unknown }
    } catch {
      return { status: 400, json: { errorMessages: ['Unexpected character in JSON body'], errors: {} } }
    }
    if (typeof parsed.body !== 'string' || parsed.body.trim() === '')
      return { status: 400, json: { errorMessages: [], errors: { comment: 'Comment body can not be empty!' } } }
    const comment = { id: String(10000 + comments.length), body: parsed.body, author: user }
    comments.push(comment)
    return { status: 201, json: { ...comment, self: `${this.baseUrl}/rest/api/2/issue/${issue.id}/comment/${comment.id}` } }
  }

  /** A value as Jira stores and returns it: options gain their id and self. */
  private stored(id: string, value: unknown): unknown {
    const field = this.fields.find(f => f.id === id)
    const expandOption = (v: unknown): unknown => {
      const wanted = v as { value?: string; name?: string; id?: string }
      const option = field?.allowedValues?.find(
        a => (a.value !== undefined && a.value === wanted.value) || (a.name !== undefined && a.name === wanted.name) || a.id === wanted.id
      )
      if (!option) return v
      return option.name !== undefined
        ? { self: `${this.baseUrl}/rest/api/2/version/${option.id}`, id: option.id, name: option.name }
        : { self: `${this.baseUrl}/rest/api/2/customFieldOption/${option.id}`, value: option.value, id: option.id }
    }
    if (!field?.allowedValues) return value
    return Array.isArray(value) ? value.map(expandOption) : expandOption(value)
  }

  /** Cloud's /rest/api/3/search/jql: no total, no startAt; nextPageToken until the last page. */
  private searchByToken(query: string, user: string | undefined): Reply {
    return this.searchPage(query, user, 'nextPageToken', (page, startAt, maxResults, total) => {
      const isLast = startAt + maxResults >= total
      return { issues: page.map(i => ({ id: i.id, key: i.key })), isLast, ...(isLast ? {} : { nextPageToken: String(startAt + maxResults) }) }
    })
  }

  /** Server and Data Center's /rest/api/2/search: paged by startAt, with total. */
  private search(query: string, user: string | undefined): Reply {
    return this.searchPage(query, user, 'startAt', (page, startAt, maxResults, total) => ({
      startAt,
      maxResults,
      total,
      issues: page.map(i => ({ id: i.id, key: i.key, fields: {} }))
    }))
  }

  /** One page of the issues a JQL query matches (none for an anonymous user), shaped by `answer`. */
  private searchPage(
    query: string,
    user: string | undefined,
    offsetParam: string,
    answer: (page: SimIssue[], startAt: number, maxResults: number, total: number) => unknown
  ): Reply {
    const params = new Map(formDecode(query))
    const jql = params.get('jql') ?? ''
    const startAt = Number(params.get(offsetParam) ?? 0)
    const maxResults = Math.min(Number(params.get('maxResults') ?? 50), this.options.maxSearchResults ?? 50)
    const matcher = parseJql(jql)
    if (!matcher) return { status: 400, json: { errorMessages: [`Error in the JQL Query: ${jql}`], errors: {} } }
    const all = user ? [...this.issues.values()].filter(matcher) : []
    return { status: 200, json: answer(all.slice(startAt, startAt + maxResults), startAt, maxResults, all.length) }
  }
}

interface Reply {
  /** Answered by Tomcat outside Jira's context path, without Jira's headers. */
  notJira?: boolean
  status: number
  headers?: Record<string, string>
  json?: unknown
  text?: string
}

/** A request written back as text, the way a debugging proxy or a WAF's block page shows it. */
function echoOf(req: IncomingMessage, body: string): string {
  const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`)
  return [`Request rejected. ${req.method} ${req.url}`, ...headers, '', body].join('\n')
}

/** Writes a body that never ends, bounded so a client that never stops reading cannot keep it going. */
function endlessBody(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  const started = Date.now()
  let written = 0
  const pump = (): void => {
    while (!res.destroyed && written < 512 * 1024 * 1024 && Date.now() - started < 60_000) {
      written += chunk.length
      if (!res.write(chunk)) {
        res.once('drain', pump)
        return
      }
    }
    res.destroy()
  }
  res.write('{"issues": [')
  pump()
}

/** What Tomcat answers for a path outside Jira's context path. */
function tomcatNotFound(path: string): Reply {
  return {
    notJira: true,
    status: 404,
    headers: { 'Content-Type': 'text/html;charset=utf-8', 'Content-Language': 'en' },
    text: `<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head><body><h1>HTTP Status 404 – Not Found</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Message</b> ${path.split('?')[0]}</p><p><b>Description</b> The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.</p><hr class="line" /><h3>Apache Tomcat/9.0.82</h3></body></html>`
  }
}

function captcha(baseUrl: string): Reply {
  return {
    status: 403,
    headers: {
      'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED',
      'X-Authentication-Denied-Reason': `CAPTCHA_CHALLENGE; login-url=${baseUrl}/login.jsp`,
      'Content-Type': 'text/html;charset=UTF-8'
    },
    text: '<html><head><title>Forbidden (403)</title></head><body>CAPTCHA_CHALLENGE</body></html>'
  }
}

/** Jira's own checks of a value against the field's type, with its wording. */
function checkValue(field: SimFieldDef, value: unknown, cloudUsers?: SimCloudUser[]): string | undefined {
  const kind = field.schema.custom?.split(':').pop() ?? field.schema.system
  const optionOk = (v: unknown): boolean =>
    typeof v === 'object' &&
    v !== null &&
    (field.allowedValues ?? []).some(
      a =>
        (a.value !== undefined && a.value === (v as { value?: string }).value) ||
        (a.name !== undefined && a.name === (v as { name?: string }).name) ||
        a.id === (v as { id?: string }).id
    )
  switch (kind) {
    case 'fixVersions':
      return Array.isArray(value) && value.every(optionOk) ? undefined : 'Version name is not valid'
    case 'select':
      return optionOk(value) ? undefined : `Option value '${JSON.stringify(value)}' is not valid`
    case 'multiselect':
      return Array.isArray(value) && value.every(optionOk) ? undefined : 'data was not an array of valid options'
    case 'float':
      return typeof value === 'number' ? undefined : 'Operation value must be a number'
    case 'datepicker':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? undefined
        : 'Invalid date format. Please enter the date in the format "yyyy-MM-dd".'
    case 'datetime':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/.test(value)
        ? undefined
        : 'Invalid date format. Please enter the date in the format "yyyy-MM-dd\'T\'HH:mm:ss.SSSZ".'
    case 'userpicker': {
      const user = value as { name?: unknown; accountId?: unknown } | null
      if (cloudUsers) return cloudUsers.some(u => u.accountId === user?.accountId) ? undefined : "Specify a valid 'id' or 'name' for the user"
      return typeof user?.name === 'string' ? undefined : "expected Object containing a 'name' property"
    }
    case 'labels':
      return Array.isArray(value) && value.every(v => typeof v === 'string' && !/\s/.test(v)) ? undefined : 'The label must not contain spaces.'
    default:
      return typeof value === 'string' ? undefined : 'Operation value must be a string'
  }
}

/** The small JQL the simulator understands: clauses joined by AND on project, key and fixVersion. */
function parseJql(jql: string): ((issue: SimIssue) => boolean) | undefined {
  const clauses = jql.split(/\s+AND\s+/i).filter(c => c.trim() !== '')
  const tests: Array<(issue: SimIssue) => boolean> = []
  for (const clause of clauses) {
    const eq = /^\s*(project|key|fixVersion)\s*=\s*(?:"([^"]*)"|(\S+))\s*$/i.exec(clause)
    const inList = /^\s*key\s+in\s*\(([^)]*)\)\s*$/i.exec(clause)
    if (eq) {
      const [field, value] = [eq[1].toLowerCase(), eq[2] ?? eq[3]]
      if (field === 'project') tests.push(i => i.project === value)
      else if (field === 'key') tests.push(i => i.key === value.toUpperCase())
      else tests.push(i => i.fixVersion === value)
    } else if (inList) {
      const keys = inList[1].split(',').map(k => k.trim().replace(/"/g, '').toUpperCase())
      tests.push(i => keys.includes(i.key))
    } else {
      return undefined
    }
  }
  return issue => tests.every(test => test(issue))
}

/** What tells one item of a list from another: an option's id, a version's name, a label itself. */
function identity(item: unknown): unknown {
  if (item === null || typeof item !== 'object') return item
  const { id, value, name, accountId } = item as Record<string, unknown>
  return id ?? value ?? name ?? accountId ?? item
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise(resolve => setTimeout(resolve, ms)) : Promise.resolve()
}
