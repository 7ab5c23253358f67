/** Network pieces for fault tests: a CONNECT proxy on loopback, and a CA with a server certificate. */
import { createServer, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { generateKeyPairSync } from 'node:crypto'
import forge from 'node-forge'

export interface CountingProxy {
  url: string
  /** The host:port of every CONNECT tunnel opened through it. */
  tunnels: string[]
  close(): Promise<void>
}

/**
 * A CONNECT proxy on 127.0.0.1 that resolves every host name to 127.0.0.1, as a corporate
 * proxy resolves names the runner cannot, and counts the tunnels it opens.
 */
export async function startProxy(): Promise<CountingProxy> {
  const tunnels: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((_req, res) => {
    res.writeHead(405)
    res.end()
  })
  server.on('connect', (req, clientSocket: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '')
    const port = Number((req.url ?? '').split(':').pop())
    const upstream = connect(port, '127.0.0.1', () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(clientSocket)
      clientSocket.pipe(upstream)
    })
    for (const socket of [clientSocket, upstream]) {
      sockets.add(socket)
      socket.on('error', () => socket.destroy())
      socket.on('close', () => sockets.delete(socket))
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

export interface TestCa {
  caPem: string
  serverKeyPem: string
  serverCertPem: string
}

/** An RSA key pair made natively (forge's pure-JS generation is slow), in forge's form. */
function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  }
}

/** A self-signed CA and a certificate it issues for 127.0.0.1 and jira.internal.test. */
export function makeTestCa(): TestCa {
  const now = new Date()
  const later = new Date(now.getTime() + 24 * 3600 * 1000)
  const caKeys = keyPair()
  const ca = forge.pki.createCertificate()
  ca.publicKey = caKeys.publicKey
  ca.serialNumber = '01'
  ca.validity.notBefore = now
  ca.validity.notAfter = later
  const caName = [{ name: 'commonName', value: 'jira-build-result test CA' }]
  ca.setSubject(caName)
  ca.setIssuer(caName)
  ca.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true }
  ])
  ca.sign(caKeys.privateKey, forge.md.sha256.create())

  const serverKeys = keyPair()
  const server = forge.pki.createCertificate()
  server.publicKey = serverKeys.publicKey
  server.serialNumber = '02'
  server.validity.notBefore = now
  server.validity.notAfter = later
  server.setSubject([{ name: 'commonName', value: 'jira.internal.test' }])
  server.setIssuer(caName)
  server.setExtensions([
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'jira.internal.test' }
      ]
    },
    { name: 'extKeyUsage', serverAuth: true }
  ])
  server.sign(caKeys.privateKey, forge.md.sha256.create())
  return {
    caPem: forge.pki.certificateToPem(ca),
    serverKeyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
    serverCertPem: forge.pki.certificateToPem(server)
  }
}
