import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto'
import { describe, it } from 'node:test'
import { loadPrivateKey, PrivateKeyError, secretFragments } from '../src/oauth/keys.js'
import forge from 'node-forge'
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
    [
      'a key pasted over several lines into .env, which keeps the first',
      () => '-----BEGIN PRIVATE KEY-----',
      /BEGIN line and nothing more.*In a \.env file, write the key on one line with \\n for each line break/
    ],
    ['a key with its middle cut out', () => pkcs8.slice(0, 200) + pkcs8.slice(-200), /could not be parsed: it looks truncated or altered/],
    ['text that is no key at all', () => 'my password!', /neither PEM nor base64/],
    ['base64 that is not a key', () => Buffer.from('hello world, not a key').toString('base64'), /could not be parsed as PKCS#8 or PKCS#1/],
    [
      'an EC key',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      /is an EC key; Jira's OAuth uses RSA-SHA1/
    ]
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
    // The whole value first; no fragment but the whole value carries a BEGIN or END line.
    assert.equal(fragments[0], pkcs8.replace(/\n/g, '\\n').trim())
    assert.deepEqual(
      fragments.slice(1).filter(f => f.includes('-----')),
      []
    )
  })
})

describe('reading key material as users really hold it', () => {
  const { pkcs8, pkcs1 } = testKeys()
  const certificate = (): string => {
    const cert = forge.pki.createCertificate()
    cert.publicKey = forge.pki.publicKeyFromPem(testKeys().publicKey)
    cert.serialNumber = '01'
    cert.validity.notBefore = new Date()
    cert.validity.notAfter = new Date(Date.now() + 86_400_000)
    cert.setSubject([{ name: 'commonName', value: 'jira-build-result' }])
    cert.setIssuer([{ name: 'commonName', value: 'jira-build-result' }])
    cert.sign(forge.pki.privateKeyFromPem(pkcs1), forge.md.sha256.create())
    return forge.pki.certificateToPem(cert)
  }

  it('takes the private key from a bundle that puts the certificate and public key first (openssl pkcs12 -nodes)', () => {
    const bundle = `Bag Attributes\n    localKeyID: 01 00 00 00\nsubject=CN = jira-build-result\n${certificate()}${testKeys().publicKey}Bag Attributes\n    localKeyID: 01 00 00 00\n${pkcs8}`
    assertIsTestKey(bundle)
    assertIsTestKey(bundle.replace(/\n/g, '\\n'))
  })

  it('reads an encrypted PKCS#1 key (Proc-Type: 4,ENCRYPTED) whose line breaks were lost', () => {
    const encrypted = forge.pki.encryptRsaPrivateKey(forge.pki.privateKeyFromPem(pkcs1), 'hunter2', { algorithm: 'aes128', legacy: true })
    assert.match(encrypted, /Proc-Type: 4,ENCRYPTED/)
    assertIsTestKey(encrypted, 'hunter2')
    assertIsTestKey(encrypted.replace(/\r?\n/g, ' '), 'hunter2')
    assertIsTestKey(encrypted.replace(/\r?\n/g, '\\n'), 'hunter2')
  })

  const pkcs12Der = (): Buffer => {
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(pkcs1), [forge.pki.certificateFromPem(certificate())], 'hunter2', { algorithm: '3des' })
    return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary')
  }

  it('names a PKCS#12 bundle in base64 and gives the command that extracts the key', () => {
    assert.throws(
      () => loadPrivateKey(pkcs12Der().toString('base64')),
      /PKCS#12 \(\.p12, \.pfx\) bundle in base64, not a PEM key\. Take the key out of it: openssl pkcs12 -in bundle\.p12 -nocerts -nodes/
    )
  })

  it('names a binary PKCS#12 file read as text', () => {
    assert.throws(
      () => loadPrivateKey(pkcs12Der().toString('utf8')),
      /is binary, such as a PKCS#12 \(\.p12, \.pfx\) file or DER, not text\. Take the key out of it: openssl pkcs12/
    )
  })

  it('names a whole private_key= line from config.properties and the command that keeps the value', () => {
    const line = `consumer_key=jira-build-result\nprivate_key=${bodyOf(pkcs8)}\n`
    assert.throws(
      () => loadPrivateKey(line),
      /the private_key line of Jira's config\.properties, not the key alone\. Store only what follows 'private_key=': sed -n 's\/\^private_key=\/\/p' config\.properties/
    )
  })

  it("says a legacy cipher that Node's OpenSSL 3 cannot decrypt is not a wrong passphrase, and how to re-encrypt", () => {
    const info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(forge.pki.privateKeyFromPem(pkcs1)))
    // forge still writes single DES, which OpenSSL 3 keeps only in its legacy provider; the types omit it.
    const legacy = forge.pki.encryptedPrivateKeyToPem(forge.pki.encryptPrivateKeyInfo(info, 'hunter2', { algorithm: 'des' as 'aes128' }))
    assert.throws(
      () => loadPrivateKey(legacy, 'hunter2'),
      (error: unknown) =>
        error instanceof PrivateKeyError &&
        !error.blamesPassphrase &&
        /legacy cipher \(such as DES or RC2\) that Node's OpenSSL 3 no longer decrypts.*openssl pkcs8 -topk8 -v2 aes-256-cbc/.test(error.message)
    )
  })
})
