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
    client,
    REQUEST_TOKEN_PATH,
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
  const answer = tokenAnswer(client, ACCESS_TOKEN_PATH, response, 'access token')
  const expiresIn = Number(answer.get('oauth_expires_in'))
  return {
    accessToken: answer.get('oauth_token') ?? '',
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now().getTime() + expiresIn * 1000) : undefined
  }
}

// Tokens as Jira's OAuth provider makes them: they go into a URL and a command line printed for the user.
const TOKEN = /^[A-Za-z0-9._~+/=-]{1,256}$/

/**
 * Jira's token endpoints answer form-encoded text/plain (a refusal was diagnosed already). The
 * answer is checked before use: a token that is missing or not token-shaped, or a lifetime that
 * is not a number of seconds, is reported as Jira's answer.
 */
function tokenAnswer(client: JiraClient, path: string, response: JiraResponse, what: string): URLSearchParams {
  const answer = new URLSearchParams(response.body.trim())
  const token = answer.get('oauth_token')
  const secret = answer.get('oauth_token_secret')
  const expiresIn = answer.get('oauth_expires_in')
  const mismatch =
    token === null || token === ''
      ? `oauth_token is missing, expected the ${what}`
      : !TOKEN.test(token)
        ? `oauth_token is not token-shaped (letters, digits and . _ ~ + / = -, at most 256), expected the ${what}`
        : secret !== null && secret !== '' && !TOKEN.test(secret)
          ? 'oauth_token_secret is not token-shaped (letters, digits and . _ ~ + / = -, at most 256)'
          : expiresIn !== null && !/^\d{1,12}$/.test(expiresIn)
            ? 'oauth_expires_in is not a whole number of seconds'
            : undefined
  if (mismatch !== undefined) {
    throw new JiraError(
      'error',
      `POST ${client.url(path)} answered an unexpected shape: ${mismatch} (HTTP ${response.status}).`,
      `Check ${client.words.input('jira-url')} points at Jira itself, context path included.`,
      { status: response.status }
    )
  }
  return answer
}
