/**
 * The simulator's own OAuth 1.0a verification (RFC 5849 §3.4), written apart from the
 * product's signer so a bug in one is not hidden by the same bug in the other.
 */
import { verify, type KeyObject } from 'node:crypto'

/** RFC 3986 percent-encoding: only unreserved characters stay bare, hex in upper case. */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** application/x-www-form-urlencoded decoding: "+" is a space, split at the first "=". */
export function formDecode(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const part of text.split('&')) {
    if (part === '') continue
    const at = part.indexOf('=')
    const name = at < 0 ? part : part.slice(0, at)
    const value = at < 0 ? '' : part.slice(at + 1)
    const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '))
    pairs.push([decode(name), decode(value)])
  }
  return pairs
}

/** The parameters of an `Authorization: OAuth …` header, decoded. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header || !/^OAuth\s/i.test(header)) return undefined
  const params = new Map<string, string>()
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_]+)\s*=\s*"([^"]*)"/g)) {
    params.set(match[1], decodeURIComponent(match[2]))
  }
  return params
}

export interface BaseStringInput {
  method: string
  /** scheme://host[:port]/path as the server sees it, no query. */
  baseUri: string
  query: string
  formBody?: string
  oauthParams: Map<string, string>
}

/** The signature base string the server expects. */
export function serverBaseString(input: BaseStringInput): string {
  const pairs: Array<[string, string]> = [...formDecode(input.query)]
  if (input.formBody !== undefined) pairs.push(...formDecode(input.formBody))
  for (const [name, value] of input.oauthParams) {
    if (name !== 'realm' && name !== 'oauth_signature') pairs.push([name, value])
  }
  // RFC 5849 §3.4.1.3.1: oauth_signature is left out wherever it stands, query and body too.
  const encoded = pairs.filter(([name]) => name !== 'oauth_signature').map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
  encoded.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  const normalized = encoded.map(([name, value]) => `${name}=${value}`).join('&')
  return `${input.method.toUpperCase()}&${rfc3986(normalizeBaseUri(input.baseUri))}&${rfc3986(normalized)}`
}

function normalizeBaseUri(uri: string): string {
  const match = /^([a-zA-Z]+):\/\/([^/:]+)(?::(\d+))?(\/.*)?$/.exec(uri)
  if (!match) return uri
  const scheme = match[1].toLowerCase()
  const host = match[2].toLowerCase()
  const port = match[3]
  const keepPort = port && !((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443'))
  return `${scheme}://${host}${keepPort ? `:${port}` : ''}${match[4] ?? '/'}`
}

/** RSA-SHA1 verification with the registered public key. */
export function verifyRsaSha1(baseString: string, signature: string, publicKey: KeyObject): boolean {
  return verify('sha1', Buffer.from(baseString, 'utf8'), publicKey, Buffer.from(signature, 'base64'))
}
