import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import { Sha1Refused, signRequest, systemSources, type OAuthCredentials, type SignableRequest, type SigningSources } from '../oauth/sign.js'
import { JiraError } from './errors.js'
import type { JiraResponse } from './transport.js'

/** OAuth 2.0 client credentials: a service account's client id and secret, and where to trade them for tokens. */
export interface ClientCredentialsConfig {
  mode: 'client-credentials'
  clientId: string
  clientSecret: string
  /** The token endpoint: Data Center's {jira-url}/rest/oauth2/latest/token, or Atlassian's on Cloud. */
  tokenUrl: string
  /** Space-separated scopes to ask for; absent: what the credential grants. */
  scope?: string
  /** Cloud's token endpoint issues tokens for an audience: api.atlassian.com. */
  audience?: string
}

/** The one way a run authenticates, as validated from the inputs. */
export type AuthConfig =
  | { mode: 'oauth'; consumerKey: string; privateKey: KeyObject; accessToken: string }
  | { mode: 'pat'; personalAccessToken: string }
  | { mode: 'basic'; user: string; apiToken: string }
  | ClientCredentialsConfig

export type AuthMode = AuthConfig['mode']

/** The Authorization header for one request (none: sent without one), and for OAuth the base string it signs. */
export interface Authorization {
  header?: string
  baseString?: string
}

/** Produces the Authorization header for one request. */
export interface Authenticator {
  /** The credentials it sends, so a refusal is explained for them; the OAuth dance signs as OAuth. */
  readonly mode: AuthMode | 'none'
  /** May wait: a client-credentials token is fetched once and shared by every request. */
  authorize(request: SignableRequest): Authorization | Promise<Authorization>
  /** OAuth: the SHA-256 fingerprint of the public key that belongs to the private key. */
  readonly fingerprint?: string
  /**
   * Told of a 401 to a request sent with `sent`. True when a new credential is on its way, so
   * the request is worth sending once more (an access token that expired during the run).
   */
  renew?(response: JiraResponse, sent: Authorization): boolean
}

/** Sends no Authorization header: endpoints that authenticate no one, such as Cloud's tenant_info. */
export const ANONYMOUS: Authenticator = { mode: 'none', authorize: () => ({}) }

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
    mode: 'oauth',
    authorize: request => {
      try {
        const signed = signRequest(request, credentials, sources)
        return { header: signed.authorization, baseString: signed.baseString }
      } catch (thrown) {
        if (thrown instanceof Sha1Refused) throw sha1RefusedError(thrown)
        throw thrown
      }
    },
    // Worked out when asked: only a signature_invalid answer needs it.
    get fingerprint() {
      return (fingerprint ??= publicKeyFingerprint(credentials.privateKey))
    }
  }
}

/** The SHA-1 refusal said by name, with the ways out; nothing was sent. */
export function sha1RefusedError(refused: Sha1Refused): JiraError {
  return new JiraError(
    'error',
    `This machine's OpenSSL refused to sign with RSA-SHA1, which Jira's OAuth 1.0a requires (${refused.opensslMessage}); nothing was sent. The system crypto policy forbids SHA-1 signatures, as RHEL 9's DEFAULT policy and its derivatives' do, and this Node.js uses the system OpenSSL.`,
    'Run the step with a Node.js from nodejs.org (it bundles its own OpenSSL, which the policy does not bind), allow SHA-1 on the agent (update-crypto-policies --set DEFAULT:SHA1), or authenticate without RSA-SHA1: a personal access token or a service account (client-id and client-secret).'
  )
}

/**
 * Builds the Authenticator for a configured mode that needs nothing from the network;
 * client credentials need a token source (tokens.ts) and are built by connect().
 */
export function authenticatorFor(auth: Exclude<AuthConfig, ClientCredentialsConfig>, sources: SigningSources = systemSources): Authenticator {
  switch (auth.mode) {
    case 'oauth':
      return oauthAuthenticator({ consumerKey: auth.consumerKey, privateKey: auth.privateKey, token: auth.accessToken }, sources)
    case 'pat':
      // Data Center 8.14+ personal access tokens.
      return { mode: 'pat', authorize: () => ({ header: `Bearer ${auth.personalAccessToken}` }) }
    case 'basic': {
      // Jira Cloud: the account's e-mail address and an API token.
      const header = `Basic ${basicCredentials(auth.user, auth.apiToken)}`
      return { mode: 'basic', authorize: () => ({ header }) }
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
    case 'client-credentials':
      // The access tokens are secrets too, each added to the redactor as it arrives (tokens.ts).
      return [auth.clientSecret]
  }
}

/** How a mode is named in messages. */
export const AUTH_MODE_NAMES: Record<AuthMode, string> = {
  oauth: 'OAuth 1.0a',
  pat: 'a personal access token',
  basic: 'basic auth',
  'client-credentials': 'OAuth 2.0 client credentials (service account)'
}

/** What a debug line may say of a configuration: its mode and the parts that are not secret. */
export function describeAuth(auth: AuthConfig): string {
  switch (auth.mode) {
    case 'oauth':
      return `${AUTH_MODE_NAMES.oauth} (RSA-SHA1, consumer key ${auth.consumerKey})`
    case 'pat':
      return `${AUTH_MODE_NAMES.pat} (Authorization: Bearer)`
    case 'basic':
      return `${AUTH_MODE_NAMES.basic} (user ${auth.user})`
    case 'client-credentials':
      return `${AUTH_MODE_NAMES['client-credentials']} (client id ${auth.clientId}, token URL ${auth.tokenUrl})`
  }
}
