import { createPrivateKey, type KeyObject } from 'node:crypto'

/** The formats a private key may arrive in, for error messages. */
export const ACCEPTED_KEY_FORMATS =
  'PEM PKCS#8 (-----BEGIN PRIVATE KEY-----), PEM PKCS#1 (-----BEGIN RSA PRIVATE KEY-----), ' +
  'encrypted PKCS#8 (-----BEGIN ENCRYPTED PRIVATE KEY-----, with its passphrase), ' +
  'or the bare base64 body of a PKCS#8 key as kept in config.properties; ' +
  'line breaks may be real, missing, or written as \\n'

/** Why a private key could not be used. The message never contains key material. */
export class PrivateKeyError extends Error {
  constructor(
    readonly reason: string,
    readonly remedy: string,
    /** The passphrase, not the key, is what is wrong. */
    readonly blamesPassphrase = false
  ) {
    super(`${reason} ${remedy}`)
    this.name = 'PrivateKeyError'
  }
}

const PEM_BLOCKS = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'])
const BASE64_ONLY = /^[A-Za-z0-9+/=]+$/
// The OID of PKCS#7 data (1.2.840.113549.1.7.1), which opens every PKCS#12 file's content.
const PKCS7_DATA_OID = Buffer.from('06092a864886f70d010701', 'hex')
const PKCS12_REMEDY =
  'Take the key out of it: openssl pkcs12 -in bundle.p12 -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out jira_privatekey.pem, and use that file.'

/** "an EC key", "a DSA key": node:crypto's key types as people write them. */
const KEY_TYPE_NAMES: Record<string, string> = {
  ec: 'an EC',
  dsa: 'a DSA',
  dh: 'a DH',
  ed25519: 'an Ed25519',
  ed448: 'an Ed448',
  x25519: 'an X25519',
  x448: 'an X448',
  'rsa-pss': 'an RSA-PSS'
}

/**
 * Loads an RSA private key from any of the forms CI secrets hold it in and returns a
 * node:crypto key. Throws PrivateKeyError, whose message names the accepted formats and
 * never repeats any part of the key.
 */
export function loadPrivateKey(text: string, passphrase?: string, passphraseName = 'the passphrase'): KeyObject {
  const cleaned = normalizeKeyText(text)
  if (cleaned === '') {
    throw new PrivateKeyError('The private key is empty.', `Provide one of: ${ACCEPTED_KEY_FORMATS}.`)
  }
  // eslint-disable-next-line no-control-regex -- a NUL byte is exactly what marks a binary file
  if (/[\u0000\ufffd]/.test(cleaned)) {
    throw new PrivateKeyError('The private key is binary, such as a PKCS#12 (.p12, .pfx) file or DER, not text.', PKCS12_REMEDY)
  }
  if (/^\s*private_key\s*=/m.test(cleaned)) {
    throw new PrivateKeyError(
      "This is the private_key line of Jira's config.properties, not the key alone.",
      "Store only what follows 'private_key=': sed -n 's/^private_key=//p' config.properties"
    )
  }
  // Bundles such as `openssl pkcs12 -nodes` output put certificates before the key.
  const blocks = [...cleaned.matchAll(PEM_BLOCKS)]
  const block = blocks.find(candidate => PRIVATE_LABELS.has(candidate[1])) ?? blocks[0]
  let key: KeyObject
  if (block) {
    key = loadPemBlock(block[1], block[2], passphrase, passphraseName)
  } else if (/^\s*-----BEGIN [A-Z0-9 ]+-----\s*$/.test(cleaned)) {
    // A .env file (what @github/local-action reads) keeps only the first line of a value
    // written over several lines.
    throw new PrivateKeyError(
      'The private key is its BEGIN line and nothing more: everything after the first line was cut, as a .env file cuts a key written over several lines.',
      'In a .env file, write the key on one line with \\n for each line break; in a secret, copy the whole key file, from -----BEGIN to -----END.'
    )
  } else if (cleaned.includes('-----BEGIN')) {
    throw new PrivateKeyError(
      'The private key has a BEGIN line but no matching END line: it looks truncated.',
      'Copy the whole key file, from -----BEGIN to -----END, into the secret.'
    )
  } else {
    key = loadBareBase64(cleaned)
  }
  if (key.asymmetricKeyType !== 'rsa') {
    const type = key.asymmetricKeyType
    throw new PrivateKeyError(
      `The private key is ${(type && KEY_TYPE_NAMES[type]) ?? `a ${type ?? 'non-RSA'}`} key; Jira's OAuth uses RSA-SHA1.`,
      'Generate an RSA key (for example with the keygen command) and register its public key on the application link.'
    )
  }
  return key
}

/**
 * Undoes what secret stores do to multi-line values: surrounding quotes, literal "\n"
 * escapes and Windows line ends.
 */
export function normalizeKeyText(text: string): string {
  let cleaned = text.trim()
  if (cleaned.length >= 2 && /^(["']).*\1$/s.test(cleaned)) cleaned = cleaned.slice(1, -1).trim()
  return cleaned.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n')
}

function loadPemBlock(label: string, inner: string, passphrase: string | undefined, passphraseName: string): KeyObject {
  switch (label) {
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      throw new PrivateKeyError(
        'This is a public key, not the private key.',
        'The public key goes on the application link in Jira; the secret needs the private key file it was made from.'
      )
    case 'CERTIFICATE':
      throw new PrivateKeyError(
        'This is an X.509 certificate, not the private key.',
        'The secret needs the private key file the certificate was made from (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY).'
      )
    case 'OPENSSH PRIVATE KEY':
      throw new PrivateKeyError(
        'This is an OpenSSH private key, which Node cannot read as RSA-SHA1 signing key.',
        "Convert it with 'ssh-keygen -p -m PKCS8 -f FILE' or generate a new key with the keygen command."
      )
    case 'PRIVATE KEY':
    case 'RSA PRIVATE KEY':
    case 'ENCRYPTED PRIVATE KEY':
      break
    default:
      throw new PrivateKeyError(`A PEM block labelled "${label}" is not an RSA private key.`, `Provide one of: ${ACCEPTED_KEY_FORMATS}.`)
  }
  // Legacy OpenSSL encryption keeps "Proc-Type" and "DEK-Info" headers above the body. Their
  // values hold no spaces, so they are found even when the line breaks were lost.
  const headers: string[] = []
  let rest = inner
  for (const name of ['Proc-Type', 'DEK-Info']) {
    const header = new RegExp(`${name}:\\s*(\\S+)`).exec(rest)
    if (!header) continue
    headers.push(`${name}: ${header[1]}`)
    rest = rest.replace(header[0], '')
  }
  const body = rest.replace(/\s+/g, '')
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || headers.some(h => h.startsWith('Proc-Type:') && h.includes('ENCRYPTED'))
  if (encrypted && !passphrase) {
    throw new PrivateKeyError('The private key is encrypted and no passphrase was given.', `Provide ${passphraseName}, or store the key unencrypted.`)
  }
  if (!BASE64_ONLY.test(body)) {
    throw new PrivateKeyError(
      'The private key body is not base64: it has been altered or cut.',
      `Copy the whole key file again. Accepted: ${ACCEPTED_KEY_FORMATS}.`
    )
  }
  const wrapped = body.match(/.{1,64}/g)?.join('\n') ?? ''
  const headerBlock = headers.length > 0 ? `${headers.join('\n')}\n\n` : ''
  const pem = `-----BEGIN ${label}-----\n${headerBlock}${wrapped}\n-----END ${label}-----\n`
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: encrypted ? passphrase : undefined })
  } catch (thrown) {
    // node:crypto's own message names OpenSSL internals, never the key; we still say it in our words.
    const code = typeof thrown === 'object' && thrown !== null && 'code' in thrown ? thrown.code : undefined
    if (encrypted && code === 'ERR_OSSL_EVP_UNSUPPORTED') {
      throw new PrivateKeyError(
        "The private key is encrypted with a legacy cipher (such as DES or RC2) that Node's OpenSSL 3 no longer decrypts; the passphrase may well be right.",
        'Re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc -provider legacy -provider default -in old.pem -out new.pem, and store new.pem.'
      )
    }
    if (encrypted) {
      throw new PrivateKeyError(
        'The encrypted private key could not be decrypted with the passphrase given.',
        `Check ${passphraseName} matches the one the key was encrypted with.`,
        true
      )
    }
    throw new PrivateKeyError(
      'The private key could not be parsed: it looks truncated or altered.',
      `Copy the whole key file again. Accepted: ${ACCEPTED_KEY_FORMATS}.`
    )
  }
}

function loadBareBase64(text: string): KeyObject {
  const body = text.replace(/\s+/g, '')
  if (!BASE64_ONLY.test(body)) {
    throw new PrivateKeyError('The private key is neither PEM nor base64.', `Provide one of: ${ACCEPTED_KEY_FORMATS}.`)
  }
  const der = Buffer.from(body, 'base64')
  if (isPkcs12(der)) throw new PrivateKeyError('This is a PKCS#12 (.p12, .pfx) bundle in base64, not a PEM key.', PKCS12_REMEDY)
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type })
    } catch {
      // try the next encoding
    }
  }
  throw new PrivateKeyError(
    'The base64 private key could not be parsed as PKCS#8 or PKCS#1: it looks truncated or is not a private key.',
    `Copy the whole key again. Accepted: ${ACCEPTED_KEY_FORMATS}.`
  )
}

/** A PKCS#12 PFX: SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, … } … } near the start. */
function isPkcs12(der: Buffer): boolean {
  const head = der.subarray(0, 32)
  return der[0] === 0x30 && head.includes(Buffer.from([0x02, 0x01, 0x03])) && head.includes(PKCS7_DATA_OID)
}

/**
 * Every piece of a secret that could show up on its own in a log line: the whole value,
 * and for multi-line values (PEM keys) each line long enough to identify it.
 */
export function secretFragments(secret: string): string[] {
  const trimmed = secret.trim()
  if (trimmed === '') return []
  const fragments = new Set([trimmed])
  for (const line of normalizeKeyText(trimmed).split('\n')) {
    const piece = line.trim()
    if (piece.length >= 8 && !piece.startsWith('-----')) fragments.add(piece)
  }
  return [...fragments]
}
