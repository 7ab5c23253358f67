import { Agent as HttpAgent, request as httpRequest, type Agent, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { isIPv4 } from 'node:net'
import { rootCertificates } from 'node:tls'
import tunnel from 'tunnel'

/** An HTTP answer, with header names in lower case. */
export interface JiraResponse {
  status: number
  headers: Record<string, string | undefined>
  body: string
}

/** How to reach Jira over networks users really have. */
export interface NetworkOptions {
  /** Retries of a transient failure (429, 502, 503, 504, connection errors). */
  maxRetries: number
  /** The whole run's time limit, retries and waits included. */
  timeoutSeconds: number
  /** Extra CA certificates (PEM) trusted besides the system's, for an internal CA. */
  caCertificates?: string[]
}

/** One HTTP request as the Jira client sends it. */
export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  /** Aborts the request, in flight or not yet sent. */
  signal?: AbortSignal
}

/** Sends HTTP requests; passed in so tests and benchmarks can choose how. */
export interface Transport {
  send(request: HttpRequest): Promise<JiraResponse>
  close(): void
}

export interface TransportOptions {
  /** Per-request socket timeout in milliseconds. */
  timeoutMs?: number
  /** CA certificates (PEM) to trust besides the system's, for Jira behind an internal CA. */
  caCertificates?: string[]
  /** The most an answer may hold; a longer one is cut off and fails. */
  maxBodyBytes?: number
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case), as the front end read them; none: no proxy. */
  proxyEnv?: ProxyEnvironment
}

/** The environment variables that choose a proxy. */
export type ProxyEnvironment = Partial<Record<'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy' | 'NO_PROXY' | 'no_proxy', string>>

/** Per-request timeout unless the run's own limit is shorter. */
export const REQUEST_TIMEOUT_MS = 30_000

/** Jira's answers here are small (a field list of a large instance is well under 1 MiB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** A transport failure with a code the client classifies (ECONNRESET, ETIMEDOUT, …). */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

/**
 * A Transport over node:http and node:https. HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured
 * as the Actions toolkit reads them, through the same CONNECT tunnels (`tunnel`, which
 * @actions/http-client uses), over kept-alive connections; but only IP loopback and
 * `localhost` go around the proxy unasked, where the toolkit also lets any name starting with
 * "127." (127.attacker.example) go direct. The request and its body are read here, so that a
 * connection cut mid-answer, an answer that never ends and an abort each settle the request at
 * once. Certificates are always checked (NODE_TLS_REJECT_UNAUTHORIZED is overridden). Redirects
 * are not followed: a signed request covers its URL, so a redirect means jira-url is wrong and
 * the user should be told which to use. It never retries; the Jira client decides that.
 */
export function httpTransport(options: TransportOptions = {}): Transport {
  const ca = options.caCertificates?.length ? [...rootCertificates, ...options.caCertificates] : undefined
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const agents = new Map<string, Agent>()
  const agentFor = (url: URL): Agent => {
    const proxy = proxyFor(url, options.proxyEnv ?? {})
    const key = `${url.protocol} ${proxy?.href ?? 'direct'}`
    let agent = agents.get(key)
    if (!agent) {
      agent = newAgent(url.protocol === 'https:', proxy, ca)
      agents.set(key, agent)
    }
    return agent
  }
  return {
    send(request) {
      const url = new URL(request.url)
      return sendOnce(request, url, agentFor(url), timeoutMs, maxBodyBytes)
    },
    close() {
      // A tunnelling agent has no destroy(): its sockets end with their requests.
      for (const agent of agents.values()) if (typeof agent.destroy === 'function') agent.destroy()
      agents.clear()
    }
  }
}

// As @actions/http-client sizes its agents.
const MAX_SOCKETS = 100

function newAgent(https: boolean, proxy: URL | undefined, ca: string[] | undefined): Agent {
  // Explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn the check off.
  const tls = { rejectUnauthorized: true, ...(ca ? { ca } : {}) }
  if (!proxy) return https ? new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...tls }) : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS })
  const proxyAuth = proxy.username || proxy.password ? `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}` : undefined
  const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80)
  const tunnelOptions = { maxSockets: MAX_SOCKETS, proxy: { host: proxy.hostname, port, ...(proxyAuth ? { proxyAuth } : {}) }, ...tls }
  const overHttps = proxy.protocol === 'https:'
  if (https) return overHttps ? tunnel.httpsOverHttps(tunnelOptions) : tunnel.httpsOverHttp(tunnelOptions)
  return overHttps ? tunnel.httpOverHttps(tunnelOptions) : tunnel.httpOverHttp(tunnelOptions)
}

/**
 * The proxy a request goes through, or undefined to go direct: HTTPS_PROXY for https and
 * HTTP_PROXY for http (lower case first, as the toolkit reads them), unless NO_PROXY names the
 * host (exactly, with its port, or as a domain suffix; `*` for all) or the host is loopback.
 */
export function proxyFor(url: URL, env: ProxyEnvironment): URL | undefined {
  if (isLoopback(url.hostname)) return undefined
  const proxyText = url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY
  if (!proxyText || noProxy(url, env.no_proxy || env.NO_PROXY || '')) return undefined
  try {
    return new URL(/^https?:\/\//i.test(proxyText) ? proxyText : `http://${proxyText}`)
  } catch {
    return undefined
  }
}

/**
 * Only addresses that cannot leave this machine: `localhost`, 127.0.0.0/8, ::1 and IPv4-mapped
 * 127.x. WHATWG URL has already turned 127.1 and 0x7f.0.0.1 into 127.0.0.1, so a name such as
 * 127.0.0.1.nip.io, which public DNS resolves anywhere, is not taken for one.
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost') return true
  if (isIPv4(host)) return host.startsWith('127.')
  return host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)
}

/** NO_PROXY as @actions/http-client reads it: host or host:port, a domain suffix, or `*`. */
function noProxy(url: URL, list: string): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const hosts = [url.hostname.toUpperCase(), `${url.hostname.toUpperCase()}:${port}`]
  for (const item of list.split(',').map(entry => entry.trim().toUpperCase())) {
    if (item === '') continue
    if (item === '*') return true
    if (hosts.some(host => host === item || host.endsWith(`.${item}`) || (item.startsWith('.') && host.endsWith(item)))) return true
  }
  return false
}

function sendOnce(request: HttpRequest, url: URL, agent: Agent, timeoutMs: number, maxBodyBytes: number): Promise<JiraResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = request
    if (signal?.aborted) {
      reject(new TransportError('ABORT_ERR', 'the request was stopped'))
      return
    }
    const headers: Record<string, string | number> = { 'User-Agent': 'jira-build-result', ...request.headers }
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    let settled = false
    const onAbort = (): void => fail(new TransportError('ABORT_ERR', 'the request was stopped'))
    const finish = (): void => {
      settled = true
      signal?.removeEventListener('abort', onAbort)
    }
    const fail = (error: Error): void => {
      if (settled) return
      finish()
      req.destroy()
      reject(error)
    }
    const req = send(url, { method: request.method, headers, agent }, (response: IncomingMessage) => {
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBodyBytes) {
          fail(new TransportError('ERR_BODY_TOO_LARGE', `the answer is larger than ${maxBodyBytes / 1024 / 1024} MiB`))
          return
        }
        chunks.push(chunk)
      })
      response.on('end', () => {
        if (settled) return
        finish()
        resolve({ status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks).toString('utf8') })
      })
      // A reset or an early FIN mid-body: Node reports it as an error or a close before the end.
      response.on('error', () => fail(new TransportError('ECONNRESET', 'the connection closed in the middle of the answer')))
      response.on('close', () => {
        if (!response.complete) fail(new TransportError('ECONNRESET', 'the connection closed in the middle of the answer'))
      })
    })
    req.setTimeout(timeoutMs, () => fail(new TransportError('ETIMEDOUT', 'the request timed out')))
    req.on('error', error => fail(error))
    signal?.addEventListener('abort', onAbort, { once: true })
    req.end(request.body)
  })
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** The transport for validated options: per-request timeout within the run's, extra CAs, and the proxy. */
export function transportFor(options: NetworkOptions, proxyEnv: ProxyEnvironment = {}): Transport {
  return httpTransport({
    timeoutMs: Math.min(REQUEST_TIMEOUT_MS, options.timeoutSeconds * 1000),
    caCertificates: options.caCertificates,
    proxyEnv
  })
}

/**
 * What the environment changes about the transport that a user should hear of: certificate
 * checks stay on whatever NODE_TLS_REJECT_UNAUTHORIZED says, which is worth saying by name.
 */
export function environmentWarnings(env: Record<string, string | undefined>, caInput: string): string[] {
  if (env.NODE_TLS_REJECT_UNAUTHORIZED !== '0') return []
  return [
    `NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment, which would turn certificate checks off; Jira's certificate is checked anyway. For Jira behind an internal CA, pass its certificate as ${caInput}, or point NODE_EXTRA_CA_CERTS at it.`
  ]
}
