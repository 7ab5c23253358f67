import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import { signRequest, systemSources, type OAuthCredentials, type SignableRequest, type SigningSources } from '../oauth/sign.js'

/** The one way a run authenticates, as validated from the inputs. */
export type AuthConfig =
  | { mode: 'oauth'; consumerKey: string; privateKey: KeyObject; accessToken: string }
  | { mode: 'pat'; personalAccessToken: string }
  | { mode: 'basic'; user: string; apiToken: string }

/** The Authorization header for one request, and for OAuth the base string it signs. */
export interface Authorization {
  header: string
  baseString?: string
}

/** Produces the Authorization header for one request. */
export interface Authenticator {
  authorize(request: SignableRequest): Authorization
  /** OAuth: the SHA-256 fingerprint of the public key that belongs to the private key. */
  readonly fingerprint?: string
}

/**
 * The SHA-256 of a key's public half in DER (SubjectPublicKeyInfo), in hex: what
 * `openssl pkey -pubin -in public.pem -outform DER | sha256sum` prints for the key on the
 * application link.
 */
export function publicKeyFingerprint(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('hex')
}

/** OAuth 1.0a RSA-SHA1: a fresh nonce and timestamp for every request, retries included. */
export function oauthAuthenticator(credentials: OAuthCredentials, sources: SigningSources = systemSources): Authenticator {
  let fingerprint: string | undefined
  return {
    authorize: request => {
      const signed = signRequest(request, credentials, sources)
      return { header: signed.authorization, baseString: signed.baseString }
    },
    // Worked out when asked: only a signature_invalid answer needs it.
    get fingerprint() {
      return (fingerprint ??= publicKeyFingerprint(credentials.privateKey))
    }
  }
}

/** Builds the Authenticator for the configured mode. */
export function authenticatorFor(auth: AuthConfig, sources: SigningSources = systemSources): Authenticator {
  switch (auth.mode) {
    case 'oauth':
      return oauthAuthenticator({ consumerKey: auth.consumerKey, privateKey: auth.privateKey, token: auth.accessToken }, sources)
    case 'pat':
      // Data Center 8.14+ personal access tokens.
      return { authorize: () => ({ header: `Bearer ${auth.personalAccessToken}` }) }
    case 'basic': {
      // Jira Cloud: the account's e-mail address and an API token.
      const header = `Basic ${basicCredentials(auth.user, auth.apiToken)}`
      return { authorize: () => ({ header }) }
    }
  }
}

/** base64(user:api-token), the credential of basic auth; also a secret in its own right. */
export function basicCredentials(user: string, apiToken: string): string {
  return Buffer.from(`${user}:${apiToken}`, 'utf8').toString('base64')
}

/** Every secret of a configuration as it may travel: raw values and the basic credential. */
export function authSecrets(auth: AuthConfig): string[] {
  switch (auth.mode) {
    case 'oauth':
      return [auth.accessToken]
    case 'pat':
      return [auth.personalAccessToken]
    case 'basic':
      return [auth.apiToken, basicCredentials(auth.user, auth.apiToken)]
  }
}
