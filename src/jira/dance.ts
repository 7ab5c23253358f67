import type { KeyObject } from 'node:crypto'
import { systemSources } from '../oauth/sign.js'
import { oauthAuthenticator } from './auth.js'
import type { JiraClient } from './client.js'
import { clientFor, type Connection } from './connect.js'
import { JiraError } from './errors.js'
import type { JiraResponse } from './transport.js'

/** What the dance needs: where Jira is and the consumer, not yet a token. */
export interface Consumer {
  jiraUrl: string
  consumerKey: string
  privateKey: KeyObject
  maxRetries: number
  timeoutSeconds: number
}

const REQUEST_TOKEN_PATH = '/plugins/servlet/oauth/request-token'
const AUTHORIZE_PATH = '/plugins/servlet/oauth/authorize'
const ACCESS_TOKEN_PATH = '/plugins/servlet/oauth/access-token'

/** Jira keeps a request token for 10 minutes and lets it serve one exchange. */
export const REQUEST_TOKEN_LIFETIME_SECONDS = 600

export interface RequestTokenResult {
  requestToken: string
  requestTokenSecret: string
  /** The page where the user approves the request token in a browser. */
  authorizeUrl: string
  expiresAt: Date
}

export interface AccessTokenResult {
  accessToken: string
  expiresAt?: Date
}

export type DanceDependencies = Connection & { now?: () => Date }

function danceClient(consumer: Consumer, token: string | undefined, deps: DanceDependencies): JiraClient {
  const auth = oauthAuthenticator({ consumerKey: consumer.consumerKey, privateKey: consumer.privateKey, token }, deps.sources ?? systemSources)
  return clientFor(consumer, auth, deps)
}

/**
 * Step one of the dance: a request token, signed with the consumer key alone and
 * oauth_callback=oob (no callback: Jira shows the user a verification code instead).
 */
export async function fetchRequestToken(consumer: Consumer, deps: DanceDependencies): Promise<RequestTokenResult> {
  const now = deps.now ?? (() => new Date())
  const client = danceClient(consumer, undefined, deps)
  const answer = tokenAnswer(
    await client.answer('POST', REQUEST_TOKEN_PATH, { form: {}, oauthParams: { oauth_callback: 'oob' }, anonymousExpected: true }),
    'request token'
  )
  const requestToken = answer.get('oauth_token') ?? ''
  return {
    requestToken,
    requestTokenSecret: answer.get('oauth_token_secret') ?? '',
    authorizeUrl: client.url(AUTHORIZE_PATH, { oauth_token: requestToken }),
    expiresAt: new Date(now().getTime() + REQUEST_TOKEN_LIFETIME_SECONDS * 1000)
  }
}

/**
 * Step three: exchanges an approved request token and its verification code for an access
 * token, signed with the request token and oauth_verifier.
 */
export async function fetchAccessToken(consumer: Consumer, requestToken: string, verifier: string, deps: DanceDependencies): Promise<AccessTokenResult> {
  const now = deps.now ?? (() => new Date())
  const client = danceClient(consumer, requestToken, deps)
  const response = await client.answer('POST', ACCESS_TOKEN_PATH, { form: {}, oauthParams: { oauth_verifier: verifier }, anonymousExpected: true })
  const answer = tokenAnswer(response, 'access token')
  const expiresIn = Number(answer.get('oauth_expires_in'))
  return {
    accessToken: answer.get('oauth_token') ?? '',
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now().getTime() + expiresIn * 1000) : undefined
  }
}

/** Jira's token endpoints answer form-encoded text/plain (a refusal was diagnosed already). */
function tokenAnswer(response: JiraResponse, what: string): URLSearchParams {
  const answer = new URLSearchParams(response.body.trim())
  if (!answer.get('oauth_token')) {
    throw new JiraError('error', `Jira's answer has no ${what} (HTTP ${response.status}).`, 'Check jira-url points at Jira itself, context path included.', {
      status: response.status
    })
  }
  return answer
}
