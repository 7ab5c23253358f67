import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto'
import { describe, it } from 'node:test'
import { loadPrivateKey, PrivateKeyError, secretFragments } from '../src/oauth/keys.js'
import { testKeys } from './helpers.js'

const bodyOf = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')

/** The loaded key signs, and the test key pair's public key verifies it. */
function assertIsTestKey(text: string, passphrase?: string): void {
  const key = loadPrivateKey(text, passphrase)
  const signature = sign('sha1', Buffer.from('base string'), key)
  assert.ok(verify('sha1', Buffer.from('base string'), createPublicKey(testKeys().publicKey), signature))
}

describe('reading the private key in every form CI secrets hold it', () => {
  const { pkcs8, pkcs1, publicKey } = testKeys()

  it('reads PEM PKCS#8', () => assertIsTestKey(pkcs8))
  it('reads PEM PKCS#1', () => assertIsTestKey(pkcs1))
  it("reads the bare base64 body kept in Atlassian's config.properties", () => assertIsTestKey(bodyOf(pkcs8)))
  it('reads a bare base64 PKCS#1 body', () => assertIsTestKey(bodyOf(pkcs1)))
  it('reads PEM with the line breaks lost', () => assertIsTestKey(pkcs8.replace(/\n/g, ' ')))
  it('reads PEM on one line with no separators at all', () => assertIsTestKey(pkcs8.replace(/\n/g, '')))
  it('reads PEM with literal \\n escapes', () => assertIsTestKey(pkcs8.replace(/\n/g, '\\n')))
  it('reads PEM with Windows line ends and surrounding quotes', () => assertIsTestKey(`"${pkcs8.replace(/\n/g, '\r\n')}"`))

  it('reads an encrypted PKCS#8 key with its passphrase', () => {
    const encrypted = loadPrivateKey(pkcs8).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hunter2' }).toString()
    assert.match(encrypted, /BEGIN ENCRYPTED PRIVATE KEY/)
    assertIsTestKey(encrypted, 'hunter2')
    assert.throws(() => loadPrivateKey(encrypted), /encrypted and no passphrase was given/)
    assert.throws(() => loadPrivateKey(encrypted, 'wrong'), /could not be decrypted.*Check the passphrase/)
  })

  const refusals: Array<[string, () => string, RegExp]> = [
    ['a public key pasted as the private key', () => publicKey, /This is a public key, not the private key/],
    ['a certificate', () => '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----', /X\.509 certificate, not the private key/],
    ['a truncated key', () => pkcs8.slice(0, 300), /BEGIN line but no matching END line/],
    ['a key with its middle cut out', () => pkcs8.slice(0, 200) + pkcs8.slice(-200), /could not be parsed: it looks truncated or altered/],
    ['text that is no key at all', () => 'my password!', /neither PEM nor base64/],
    ['base64 that is not a key', () => Buffer.from('hello world, not a key').toString('base64'), /could not be parsed as PKCS#8 or PKCS#1/],
    ['an EC key', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /is an EC key; Jira's OAuth uses RSA-SHA1/]
  ]
  for (const [name, text, message] of refusals) {
    it(`refuses ${name} without echoing it`, () => {
      const value = text()
      assert.throws(
        () => loadPrivateKey(value),
        (error: unknown) => {
          assert.ok(error instanceof PrivateKeyError)
          assert.match(error.message, message)
          for (let i = 0; i + 16 <= bodyOf(value).length; i += 8) assert.ok(!error.message.includes(bodyOf(value).slice(i, i + 16)))
          return true
        }
      )
    })
  }

  it('names every line of a PEM key as a secret to mask', () => {
    const fragments = secretFragments(pkcs8.replace(/\n/g, '\\n'))
    for (const line of pkcs8.split('\n').filter(l => l.length > 0 && !l.startsWith('-----'))) assert.ok(fragments.includes(line))
    assert.ok(!fragments.some(f => f.startsWith('-----BEGIN')) || fragments[0].startsWith('-----BEGIN'))
  })
})
