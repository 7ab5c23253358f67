import type { SigningSources } from '../oauth/sign.js'
import { ANONYMOUS, authenticatorFor, type AuthConfig, type Authenticator } from './auth.js'
import { JiraClient, retryPolicy, type RetryPolicy } from './client.js'
import { discoverGateway, fixedRoute, GATEWAY_ORIGIN, gatewayRoute, siteThenGatewayRoute, type ApiRoute } from './gateway.js'
import { RateLimiter } from './limiter.js'
import { Redactor, redactorFor } from './redact.js'
import { clientCredentialsAuthenticator } from './tokens.js'
import type { Transport } from './transport.js'
import type { Words } from './words.js'

/** Where Jira is, how to authenticate, and the limits of one run. */
export interface Endpoint {
  /** What people open: links in the summary and messages always use it. */
  jiraUrl: string
  /** Where REST calls go when not to jiraUrl: Cloud's API gateway, https://api.atlassian.com/ex/jira/{cloudId}. */
  apiUrl?: string
  /** Jira Cloud (a *.atlassian.net site): the gateway and Cloud's explanations apply. */
  cloud?: boolean
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
  /** Told of every form of a secret learnt during the run (an access token): the runner masks it. */
  mask?: (form: string) => void
  /** Cloud's API gateway; tests point it at the simulator. */
  gatewayOrigin?: string
  /** Told each request's method, URL and status, for debug output; redacted by the receiver. */
  debug?: (message: string) => void
}

/** Where Jira is and the limits of one run, without a way to authenticate yet. */
export type Limits = Omit<Endpoint, 'auth'>

/**
 * A client for the configured way to authenticate: client credentials get their token source,
 * Cloud gets its gateway when the credentials need it, and every request of the client passes
 * one rate limiter.
 */
export function connect(endpoint: Endpoint, connection: Connection, onRetry?: (message: string) => void): JiraClient {
  const redactor = connection.redactor ?? redactorFor(endpoint.auth)
  const retry = connection.retry ?? retryPolicy(endpoint.maxRetries, endpoint.timeoutSeconds, onRetry)
  const wired: Connection = { ...connection, redactor, retry }
  const { auth } = endpoint
  let authenticator: Authenticator
  if (auth.mode === 'client-credentials') {
    // The token endpoint is not Jira's REST API: its own client, no Authorization, no route.
    const tokenClient = clientFor({ ...endpoint, jiraUrl: auth.tokenUrl, apiUrl: undefined }, ANONYMOUS, wired, undefined, undefined, 'token-url')
    authenticator = clientCredentialsAuthenticator(auth, {
      tokenClient,
      now: retry.now,
      onToken: token => {
        for (const form of redactor.add(token)) connection.mask?.(form)
      }
    })
  } else {
    authenticator = authenticatorFor(auth, connection.sources)
  }
  return clientFor(endpoint, authenticator, wired, onRetry, routeFor(endpoint, authenticator, wired, onRetry))
}

/**
 * Where REST calls go: api-url when given; on Cloud with a service account, the gateway from the
 * start; on Cloud with basic auth, the site, and the gateway once the site answers 401.
 */
function routeFor(endpoint: Endpoint, authenticator: Authenticator, connection: Connection, onRetry?: (message: string) => void): ApiRoute {
  if (endpoint.apiUrl) return fixedRoute(endpoint.apiUrl)
  if (!endpoint.cloud) return fixedRoute(endpoint.jiraUrl)
  const origin = connection.gatewayOrigin ?? GATEWAY_ORIGIN
  const discover = (): Promise<string> => discoverGateway(clientFor({ ...endpoint, apiUrl: undefined }, ANONYMOUS, connection), origin)
  if (authenticator.mode === 'client-credentials') return gatewayRoute(endpoint.jiraUrl, discover)
  if (authenticator.mode === 'basic') {
    const apiUrl = connection.words?.input('api-url') ?? "input 'api-url'"
    return siteThenGatewayRoute(endpoint.jiraUrl, discover, gateway =>
      (onRetry ?? connection.retry?.onRetry)?.(
        `${endpoint.jiraUrl} answered 401 to the API token; trying Cloud's API gateway ${gateway}, where scoped API tokens work. Set ${apiUrl} to it to go there directly.`
      )
    )
  }
  return fixedRoute(endpoint.jiraUrl)
}

/**
 * The one wiring of the Jira client, for any authenticator (the OAuth dance signs with the
 * consumer and the request token): the retry policy within the run's time limit, a redactor,
 * the front end's words, the run's stop signal, and a rate limiter of its own.
 */
export function clientFor(
  limits: Limits,
  authenticator: Authenticator,
  connection: Connection,
  onRetry?: (message: string) => void,
  route?: ApiRoute,
  urlInput?: string
): JiraClient {
  const retry = connection.retry ?? retryPolicy(limits.maxRetries, limits.timeoutSeconds, onRetry)
  return new JiraClient(limits.jiraUrl, authenticator, {
    transport: connection.transport,
    retry,
    redactor: connection.redactor ?? new Redactor(),
    words: connection.words,
    signal: connection.signal,
    route,
    limiter: new RateLimiter(retry),
    cloud: limits.cloud,
    urlInput,
    debug: connection.debug
  })
}
