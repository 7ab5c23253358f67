import { HttpClient } from '@actions/http-client'
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
}

/**
 * A Transport over @actions/http-client, which honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY
 * like the rest of the Actions toolkit. Redirects are not followed: a signed request covers
 * its URL, so a redirect means jira-url is wrong and the user should be told which to use.
 */
export function httpClientTransport(options: TransportOptions = {}): Transport {
  const client = new HttpClient('jira-build-result', [], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: true,
    socketTimeout: options.timeoutMs ?? 30_000
  })
  return {
    async send(request) {
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
