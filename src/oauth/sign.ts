import { randomBytes, sign, type KeyObject } from 'node:crypto'
import OAuth from 'oauth-1.0a'

/** What signing one request needs besides the request itself. */
export interface OAuthCredentials {
  consumerKey: string
  privateKey: KeyObject
  /** The access token, or the request token during the dance; absent for the first step. */
  token?: string
}

/** Sources of time and randomness, and the RSA-SHA1 primitive, passed in so a test can fix them. */
export interface SigningSources {
  /** Seconds since the epoch. */
  clock: () => number
  nonce: () => string
  /** RSASSA-PKCS1-v1_5 over SHA-1, base64; node:crypto's when absent. */
  rsaSha1?: (baseString: string, privateKey: KeyObject) => string
}

/**
 * This machine's OpenSSL would not sign with RSA-SHA1: RHEL 9's DEFAULT crypto policy (and its
 * derivatives') forbids SHA-1 signatures, and a Node.js built against the system OpenSSL obeys
 * it. Jira's OAuth 1.0a accepts nothing else (signature_method_rejected).
 */
export class Sha1Refused extends Error {
  constructor(readonly opensslMessage: string) {
    super(`this machine's OpenSSL refused to sign with RSA-SHA1 (${opensslMessage})`)
    this.name = 'Sha1Refused'
  }
}

export const systemSources: SigningSources = {
  clock: () => Math.floor(Date.now() / 1000),
  nonce: () => randomBytes(16).toString('hex')
}

export interface SignableRequest {
  method: string
  url: string
  /** Parameters of an application/x-www-form-urlencoded body; any other body is never signed. */
  form?: Record<string, string>
  /** Extra protocol parameters such as oauth_callback or oauth_verifier. */
  oauthParams?: Record<string, string>
}

export interface SignedRequest {
  authorization: string
  baseString: string
  /** The protocol parameters of the Authorization header, signature included. */
  oauthParams: Record<string, string>
}

/**
 * Signs a request with OAuth 1.0a RSA-SHA1 (RFC 5849 §3.4.3) and returns the Authorization
 * header and the signature base string it covers. The same inputs always give the same
 * signature.
 *
 * oauth-1.0a (2.2.6) supplies the protocol parameters, the base string's frame and the header;
 * its parameter handling is replaced, here and only here, for these reasons:
 * - it reads the query itself, but splits a value at a second "=", leaves "+" encoded and keeps
 *   the URL's case and default port: so it gets the normalised base URI alone;
 * - it signs `request.data` whatever the Content-Type: so a JSON body never reaches it;
 * - it merges request parameters into its protocol parameters, so a query parameter named
 *   oauth_* would go into the header too and be signed twice;
 * - it collects parameters on plain objects, where one named `__proto__` vanishes.
 * So the normalised parameter string (§3.4.1.3.2) is built here from a list of pairs, and the
 * header carries the protocol parameters alone.
 */
export function signRequest(request: SignableRequest, credentials: OAuthCredentials, sources: SigningSources = systemSources): SignedRequest {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: '' },
    signature_method: 'RSA-SHA1',
    hash_function: baseString => {
      try {
        return (sources.rsaSha1 ?? rsaSha1)(baseString, credentials.privateKey)
      } catch (thrown) {
        // OpenSSL's own words (error:…:digital envelope routines::invalid digest and the like)
        // carry no key material; they are kept for the message, cut short.
        const said = thrown instanceof Error ? thrown.message : String(thrown)
        throw new Sha1Refused(said.replace(/\s+/g, ' ').slice(0, 160))
      }
    }
  })
  oauth.getNonce = sources.nonce
  oauth.getTimeStamp = sources.clock

  const { baseUri, params } = splitUrl(request.url)
  for (const [name, value] of Object.entries(request.form ?? {})) params.push([name, value])
  const extraProtocol = Object.entries(request.oauthParams ?? {})
  oauth.getParameterString = (_request, protocol) =>
    normalizeParameters(
      // §3.4.1.3.1: a parameter named oauth_signature is left out, wherever it comes from.
      [...params, ...extraProtocol, ...Object.entries(protocol).map(([name, value]) => [name, String(value)] as [string, string])].filter(
        ([name]) => name !== 'oauth_signature'
      )
    )
  let baseString = ''
  const frame = oauth.getBaseString.bind(oauth)
  oauth.getBaseString = (req, data) => (baseString = frame(req, data))

  const token = credentials.token === undefined ? undefined : { key: credentials.token, secret: '' }
  const authorized = oauth.authorize({ method: request.method, url: baseUri, data: {} }, token)
  const oauthParams: Record<string, string> = Object.fromEntries(extraProtocol)
  for (const [name, value] of Object.entries(authorized)) {
    if (name.startsWith('oauth_') && value !== undefined) oauthParams[name] = String(value)
  }
  const authorization = oauth.toHeader(oauthParams as unknown as OAuth.Authorization).Authorization
  return { authorization, baseString, oauthParams }
}

/** RSASSA-PKCS1-v1_5 over SHA-1 of the UTF-8 base string, base64, with node:crypto. */
export function rsaSha1(baseString: string, privateKey: KeyObject): string {
  return sign('sha1', Buffer.from(baseString, 'utf8'), privateKey).toString('base64')
}

/** RFC 3986 percent-encoding, as OAuth 1.0a requires (§3.6): only unreserved characters stay. */
export function oauthEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** §3.4.1.3.2: each name and value encoded, sorted by name then value, joined with "&". */
export function normalizeParameters(pairs: Array<[string, string]>): string {
  const encoded = pairs.map(([name, value]) => [oauthEncode(name), oauthEncode(value)] as const)
  encoded.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return encoded.map(([name, value]) => `${name}=${value}`).join('&')
}

/**
 * The base string URI of RFC 5849 §3.4.1.2 (lower-case scheme and host, no default port,
 * no query) and the query's parameters, form-decoded, in order.
 */
export function splitUrl(url: string): { baseUri: string; params: Array<[string, string]> } {
  const parsed = new URL(url)
  const baseUri = `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  return { baseUri, params: [...new URLSearchParams(parsed.search)] }
}
