import type { AuthConfig } from '../options.js'
import type { SigningSources } from '../oauth/sign.js'
import { authenticatorFor, authSecrets } from './auth.js'
import { JiraClient, retryPolicy, type RetryPolicy } from './client.js'
import { Redactor } from './redact.js'
import type { Transport } from './transport.js'
import type { Words } from './words.js'

/** Where Jira is, how to authenticate, and the limits of one run. */
export interface Endpoint {
  jiraUrl: string
  auth: AuthConfig
  maxRetries: number
  timeoutSeconds: number
}

/** The I/O and words a client is built with, passed in by the front end or a test. */
export interface Connection {
  transport: Transport
  sources?: SigningSources
  redactor?: Redactor
  words?: Words
  signal?: AbortSignal
  retry?: RetryPolicy
}

/**
 * The one wiring of the Jira client: the authenticator for the configured mode, the retry
 * policy within the run's time limit, and a redactor that knows the run's secrets.
 */
export function connect(endpoint: Endpoint, connection: Connection, onRetry?: (message: string) => void): JiraClient {
  return new JiraClient(endpoint.jiraUrl, authenticatorFor(endpoint.auth, connection.sources), {
    transport: connection.transport,
    retry: connection.retry ?? retryPolicy(endpoint.maxRetries, endpoint.timeoutSeconds, onRetry),
    redactor: connection.redactor ?? new Redactor(authSecrets(endpoint.auth)),
    words: connection.words,
    signal: connection.signal
  })
}
