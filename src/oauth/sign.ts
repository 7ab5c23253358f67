import { randomBytes, sign, type KeyObject } from 'node:crypto'
import OAuth from 'oauth-1.0a'

/** What signing one request needs besides the request itself. */
export interface OAuthCredentials {
  consumerKey: string
  privateKey: KeyObject
  /** The access token, or the request token during the dance; absent for the first step. */
  token?: string
}

/** Sources of time and randomness, passed in so a test can fix them. */
export interface SigningSources {
  /** Seconds since the epoch. */
  clock: () => number
  nonce: () => string
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
  oauthParams: Record<string, string>
}

type ParamValue = string | string[]

/**
 * Signs a request with OAuth 1.0a RSA-SHA1 (RFC 5849 §3.4.3) and returns the Authorization
 * header and the signature base string it covers. The same inputs always give the same
 * signature.
 */
export function signRequest(
  request: SignableRequest,
  credentials: OAuthCredentials,
  sources: SigningSources = systemSources
): SignedRequest {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: '' },
    signature_method: 'RSA-SHA1',
    hash_function: baseString => rsaSha1(baseString, credentials.privateKey)
  })
  oauth.getNonce = sources.nonce
  oauth.getTimeStamp = sources.clock

  // oauth-1.0a reads the query itself, but splits values at a second "=", leaves "+" encoded
  // and keeps the URL's case and default port. So it gets the normalised base URI alone and
  // every parameter, decoded by the platform, as request data.
  const { baseUri, params } = splitUrl(request.url)
  for (const [name, value] of Object.entries({ ...request.form, ...request.oauthParams })) {
    addParam(params, name, value)
  }
  let baseString = ''
  const originalGetBaseString = oauth.getBaseString.bind(oauth)
  oauth.getBaseString = (req, data) => (baseString = originalGetBaseString(req, data))

  const token = credentials.token === undefined ? undefined : { key: credentials.token, secret: '' }
  // authorize() merges the request parameters into what it returns; keep only protocol ones.
  const authorized = oauth.authorize({ method: request.method, url: baseUri, data: params }, token)
  const oauthParams: Record<string, string> = {}
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

/**
 * The base string URI of RFC 5849 §3.4.1.2 (lower-case scheme and host, no default port,
 * no query) and the query's parameters, form-decoded.
 */
export function splitUrl(url: string): { baseUri: string; params: Record<string, ParamValue> } {
  const parsed = new URL(url)
  const baseUri = `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  const params: Record<string, ParamValue> = Object.create(null) as Record<string, ParamValue>
  for (const [name, value] of new URLSearchParams(parsed.search)) addParam(params, name, value)
  return { baseUri, params }
}

function addParam(params: Record<string, ParamValue>, name: string, value: string): void {
  const existing = params[name]
  if (existing === undefined) params[name] = value
  else if (Array.isArray(existing)) existing.push(value)
  else params[name] = [existing, value]
}
