import type { AuthConfig } from '../options.js'
import { signRequest, systemSources, type OAuthCredentials, type SignableRequest, type SigningSources } from '../oauth/sign.js'

export type AuthMode = AuthConfig['mode']

/** Produces the Authorization header for one request. */
export interface Authenticator {
  readonly mode: AuthMode
  authorize(request: SignableRequest): string
}

/** OAuth 1.0a RSA-SHA1: a fresh nonce and timestamp for every request, retries included. */
export function oauthAuthenticator(credentials: OAuthCredentials, sources: SigningSources = systemSources): Authenticator {
  return {
    mode: 'oauth',
    authorize: request => signRequest(request, credentials, sources).authorization
  }
}

/** Builds the Authenticator for the configured mode. */
export function authenticatorFor(auth: AuthConfig, sources: SigningSources = systemSources): Authenticator {
  switch (auth.mode) {
    case 'oauth':
      return oauthAuthenticator({ consumerKey: auth.consumerKey, privateKey: auth.privateKey, token: auth.accessToken }, sources)
    case 'pat':
      // Data Center 8.14+ personal access tokens.
      return { mode: 'pat', authorize: () => `Bearer ${auth.personalAccessToken}` }
    case 'basic': {
      // Jira Cloud: the account's e-mail address and an API token.
      const header = `Basic ${Buffer.from(`${auth.user}:${auth.apiToken}`, 'utf8').toString('base64')}`
      return { mode: 'basic', authorize: () => header }
    }
  }
}
