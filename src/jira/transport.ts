import { HttpClient } from '@actions/http-client'
import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { rootCertificates } from 'node:tls'

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
}

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
 * A Transport over node:http and node:https. @actions/http-client chooses the agent, so
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured like the rest of the Actions toolkit,
 * over kept-alive connections; the request and its body are read here, so that a connection
 * cut mid-answer, an answer that never ends and an abort each settle the request at once.
 * Redirects are not followed: a signed request covers its URL, so a redirect means jira-url is
 * wrong and the user should be told which to use. It never retries; the Jira client decides that.
 */
export function httpTransport(options: TransportOptions = {}): Transport {
  const agents = new HttpClient('jira-build-result', [], { keepAlive: true })
  const ca = options.caCertificates?.length ? [...rootCertificates, ...options.caCertificates] : undefined
  const trusted = new WeakSet<object>()
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  return {
    send(request) {
      const agent = agents.getAgent(request.url) as Agent & { options?: Record<string, unknown> }
      if (ca && request.url.startsWith('https:') && !trusted.has(agent)) {
        // The direct agent and the tunnelling one (through a proxy) both read their TLS options
        // from agent.options.
        agent.options = { ...agent.options, ca }
        trusted.add(agent)
      }
      return sendOnce(request, agent, timeoutMs, maxBodyBytes)
    },
    close() {
      agents.dispose()
    }
  }
}

function sendOnce(request: HttpRequest, agent: Agent, timeoutMs: number, maxBodyBytes: number): Promise<JiraResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = request
    if (signal?.aborted) {
      reject(new TransportError('ABORT_ERR', 'the request was stopped'))
      return
    }
    const url = new URL(request.url)
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

/** The transport for validated options: per-request timeout within the run's, and extra CAs. */
export function transportFor(options: NetworkOptions): Transport {
  return httpTransport({
    timeoutMs: Math.min(REQUEST_TIMEOUT_MS, options.timeoutSeconds * 1000),
    caCertificates: options.caCertificates
  })
}
