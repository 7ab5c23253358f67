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
    readonly remedy: string
  ) {
    super(`${reason} ${remedy}`)
    this.name = 'PrivateKeyError'
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/
const BASE64_ONLY = /^[A-Za-z0-9+/=]+$/

/**
 * Loads an RSA private key from any of the forms CI secrets hold it in and returns a
 * node:crypto key. Throws PrivateKeyError, whose message names the accepted formats and
 * never repeats any part of the key.
 */
export function loadPrivateKey(text: string, passphrase?: string): KeyObject {
  const cleaned = normalizeKeyText(text)
  if (cleaned === '') {
    throw new PrivateKeyError('The private key is empty.', `Provide one of: ${ACCEPTED_KEY_FORMATS}.`)
  }
  const block = PEM_BLOCK.exec(cleaned)
  let key: KeyObject
  if (block) {
    key = loadPemBlock(block[1], block[2], passphrase)
  } else if (cleaned.includes('-----BEGIN')) {
    throw new PrivateKeyError(
      'The private key has a BEGIN line but no matching END line: it looks truncated.',
      'Copy the whole key file, from -----BEGIN to -----END, into the secret.'
    )
  } else {
    key = loadBareBase64(cleaned)
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PrivateKeyError(
      `The private key is a ${key.asymmetricKeyType ?? 'non-RSA'} key; Jira's OAuth uses RSA-SHA1.`,
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

function loadPemBlock(label: string, inner: string, passphrase?: string): KeyObject {
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
      throw new PrivateKeyError(
        `A PEM block labelled "${label}" is not an RSA private key.`,
        `Provide one of: ${ACCEPTED_KEY_FORMATS}.`
      )
  }
  // Legacy OpenSSL encryption keeps "Proc-Type" and "DEK-Info" headers above the body.
  const lines = inner.split('\n').map(line => line.trim())
  const headers = lines.filter(line => /^[A-Za-z-]+:/.test(line))
  const body = lines.filter(line => !/^[A-Za-z-]+:/.test(line)).join('').replace(/\s+/g, '')
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || headers.some(h => h.startsWith('Proc-Type:') && h.includes('ENCRYPTED'))
  if (encrypted && !passphrase) {
    throw new PrivateKeyError(
      'The private key is encrypted and no passphrase was given.',
      'Provide the passphrase (private-key-passphrase), or store the key unencrypted.'
    )
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
  } catch {
    // node:crypto's own message names OpenSSL internals, never the key; we still say it in our words.
    if (encrypted) {
      throw new PrivateKeyError(
        'The encrypted private key could not be decrypted with the passphrase given.',
        'Check the passphrase (private-key-passphrase) matches the one the key was encrypted with.'
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
    throw new PrivateKeyError(
      'The private key is neither PEM nor base64.',
      `Provide one of: ${ACCEPTED_KEY_FORMATS}.`
    )
  }
  const der = Buffer.from(body, 'base64')
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
