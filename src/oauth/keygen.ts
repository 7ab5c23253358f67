import { generateKeyPairSync, randomBytes } from 'node:crypto'

export interface GeneratedKeys {
  /** PKCS#8 PEM. */
  privateKeyPem: string
  /** SubjectPublicKeyInfo PEM, what Jira's application link asks for. */
  publicKeyPem: string
  /** A self-signed X.509 certificate over the public key, for tools that want one. */
  certificatePem: string
}

/**
 * Makes an RSA key pair for an application link, and a self-signed certificate for it.
 * node:crypto generates the keys (native, fast); node-forge writes the certificate, which
 * node:crypto cannot. node-forge is loaded here only: no other command needs it.
 */
export async function generateKeys(bits = 2048, commonName = 'jira-build-result', now: Date = new Date()): Promise<GeneratedKeys> {
  const { default: forge } = await import('node-forge')
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()

  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem)
  // A positive serial: the high bit of the first byte cleared.
  certificate.serialNumber = `0${randomBytes(16).toString('hex').slice(1)}`
  certificate.validity.notBefore = now
  certificate.validity.notAfter = new Date(now.getTime() + 5 * 365 * 24 * 3600 * 1000)
  const subject = [{ name: 'commonName', value: commonName }]
  certificate.setSubject(subject)
  certificate.setIssuer(subject)
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create())
  return { privateKeyPem, publicKeyPem, certificatePem: forge.pki.certificateToPem(certificate) }
}
