import type { SigningSources } from '../oauth/sign.js'
import { authenticatorFor, authSecrets, type AuthConfig, type Authenticator } from './auth.js'
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

/** Where Jira is and the limits of one run, without a way to authenticate yet. */
export type Limits = Omit<Endpoint, 'auth'>

/** A client for the configured way to authenticate. */
export function connect(endpoint: Endpoint, connection: Connection, onRetry?: (message: string) => void): JiraClient {
  const authenticator = authenticatorFor(endpoint.auth, connection.sources)
  return clientFor(endpoint, authenticator, { ...connection, redactor: connection.redactor ?? new Redactor(authSecrets(endpoint.auth)) }, onRetry)
}

/**
 * The one wiring of the Jira client, for any authenticator (the OAuth dance signs with the
 * consumer and the request token): the retry policy within the run's time limit, a redactor,
 * the front end's words, and the run's stop signal.
 */
export function clientFor(limits: Limits, authenticator: Authenticator, connection: Connection, onRetry?: (message: string) => void): JiraClient {
  return new JiraClient(limits.jiraUrl, authenticator, {
    transport: connection.transport,
    retry: connection.retry ?? retryPolicy(limits.maxRetries, limits.timeoutSeconds, onRetry),
    redactor: connection.redactor ?? new Redactor(),
    words: connection.words,
    signal: connection.signal
  })
}
