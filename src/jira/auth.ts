import { signRequest, systemSources, type OAuthCredentials, type SignableRequest, type SigningSources } from '../oauth/sign.js'

export type AuthMode = 'oauth' | 'pat' | 'basic'

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
