import { HttpClient } from '@actions/http-client'
import { rootCertificates } from 'node:tls'
import type { NetworkOptions } from '../options.js'
import type { JiraResponse } from './diagnose.js'

/** One HTTP request as the Jira client sends it. */
export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
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
}

/** Per-request timeout unless the run's own limit is shorter. */
export const REQUEST_TIMEOUT_MS = 30_000

/**
 * A Transport over @actions/http-client, which honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY
 * like the rest of the Actions toolkit, over kept-alive connections. Redirects are not
 * followed: a signed request covers its URL, so a redirect means jira-url is wrong and the
 * user should be told which to use. It never retries; the Jira client decides that.
 */
export function httpClientTransport(options: TransportOptions = {}): Transport {
  const client = new HttpClient('jira-build-result', [], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: true,
    socketTimeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS
  })
  const ca = options.caCertificates?.length ? [...rootCertificates, ...options.caCertificates] : undefined
  const trusted = new WeakSet<object>()
  return {
    async send(request) {
      if (ca && request.url.startsWith('https:')) {
        // http-client makes one agent (direct or tunnelling through a proxy) and reuses it; both
        // read their TLS options from agent.options, which is where it sets its own.
        const agent = client.getAgent(request.url) as unknown as { options?: Record<string, unknown> }
        if (!trusted.has(agent)) {
          agent.options = { ...agent.options, ca }
          trusted.add(agent)
        }
      }
      const response = await client.request(request.method, request.url, request.body ?? null, request.headers)
      const body = await response.readBody()
      return { status: response.message.statusCode ?? 0, headers: flattenHeaders(response.message.headers), body }
    },
    close() {
      client.dispose()
    }
  }
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
  return httpClientTransport({
    timeoutMs: Math.min(REQUEST_TIMEOUT_MS, options.timeoutSeconds * 1000),
    caCertificates: options.caCertificates
  })
}
