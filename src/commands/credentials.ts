import { chmod, mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { checkCredentials } from '../jira/check.js'
import type { Connection } from '../jira/connect.js'
import type { ConnectionOptions, ConsumerOptions } from '../options.js'
import { fetchAccessToken, fetchRequestToken } from '../jira/dance.js'
import { generateKeys } from '../oauth/keygen.js'
import { emit, EXIT, type CommandIo } from './io.js'

export const KEY_FILES = {
  privateKey: 'jira_privatekey.pem',
  publicKey: 'jira_publickey.pem',
  certificate: 'jira_certificate.pem'
} as const

/** `keygen`: a PKCS#8 private key (0600), its public key and a self-signed certificate. */
export async function keygenCommand(outDir: string, bits: number, force: boolean, io: CommandIo): Promise<number> {
  const paths = {
    privateKey: join(outDir, KEY_FILES.privateKey),
    publicKey: join(outDir, KEY_FILES.publicKey),
    certificate: join(outDir, KEY_FILES.certificate)
  }
  if (!force) {
    const existing: string[] = []
    for (const path of Object.values(paths)) if (await exists(path)) existing.push(path)
    if (existing.length > 0) {
      io.err(`error: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}. Pass --force to overwrite, or --out DIR for another folder.`)
      return EXIT.usage
    }
  }
  const keys = await generateKeys(bits)
  await mkdir(outDir, { recursive: true })
  await writeFile(paths.privateKey, keys.privateKeyPem, { mode: 0o600 })
  await chmod(paths.privateKey, 0o600) // mode applies to new files only; --force may overwrite an old one
  await writeFile(paths.publicKey, keys.publicKeyPem)
  await writeFile(paths.certificate, keys.certificatePem)
  emit(io, { ...paths, publicKeyPem: keys.publicKeyPem }, [
    `Wrote ${paths.privateKey} (private, mode 0600), ${paths.publicKey} and ${paths.certificate}.`,
    '',
    'Paste this public key into Jira: Administration → Applications → Application links → your link → Incoming Authentication → Public Key:',
    '',
    keys.publicKeyPem.trim(),
    '',
    'Next: with JIRA_CONSUMER_KEY set to the consumer key you chose there and JIRA_PRIVATE_KEY_FILE set to the private key,',
    '  jira-build-result authorize --jira-url https://jira.example.com/jira'
  ])
  return EXIT.ok
}

/** `request-token`: step one of the dance, printing the URL to approve in a browser. */
export async function requestTokenCommand(consumer: ConsumerOptions, connection: Connection, io: CommandIo): Promise<number> {
  for (const warning of consumer.warnings) io.err(`warning: ${warning}`)
  const result = await fetchRequestToken(consumer, connection)
  emit(io, { ...result, expiresAt: result.expiresAt.toISOString() }, [
    `Open this URL in a browser, log in as the user the CI should act as, and click Allow:`,
    `  ${result.authorizeUrl}`,
    '',
    `request token:        ${result.requestToken}`,
    `request token secret: ${result.requestTokenSecret}`,
    `It expires in 10 minutes (${result.expiresAt.toISOString()}) and serves one exchange. Then run:`,
    `  jira-build-result access-token --jira-url ${consumer.jiraUrl} --request-token ${result.requestToken} --verifier CODE`
  ])
  return EXIT.ok
}

/** `access-token`: step three, exchanging the approved request token and its code. */
export async function accessTokenCommand(
  consumer: ConsumerOptions,
  requestToken: string,
  verifier: string,
  connection: Connection,
  io: CommandIo
): Promise<number> {
  const result = await fetchAccessToken(consumer, requestToken, verifier, connection)
  emit(io, { accessToken: result.accessToken, expiresAt: result.expiresAt?.toISOString() }, [
    `access token: ${result.accessToken}`,
    `It expires ${result.expiresAt ? `on ${result.expiresAt.toISOString()}` : 'when Jira revokes it'}. Store it as the JIRA_ACCESS_TOKEN secret.`
  ])
  return EXIT.ok
}

/**
 * `authorize`: the whole dance at the terminal. Prints the approval URL, reads the
 * verification code, and prints the access token and the commands that store the secrets.
 */
export async function authorizeCommand(
  consumer: ConsumerOptions,
  connection: Connection,
  io: CommandIo,
  secretsTarget: { repo?: string; privateKeyFile?: string }
): Promise<number> {
  for (const warning of consumer.warnings) io.err(`warning: ${warning}`)
  const request = await fetchRequestToken(consumer, connection)
  io.err(`Open this URL in a browser, log in as the user the CI should act as, and click Allow:\n  ${request.authorizeUrl}\n`)
  io.err('Jira then shows a verification code. The request token expires in 10 minutes.')
  const verifier = (await io.ask('Verification code: ')).trim()
  if (verifier === '') {
    io.err('error: no verification code entered. Run authorize again.')
    return EXIT.usage
  }
  const access = await fetchAccessToken(consumer, request.requestToken, verifier, connection)
  const repo = secretsTarget.repo ? ` --repo ${secretsTarget.repo}` : ''
  emit(io, { accessToken: access.accessToken, expiresAt: access.expiresAt?.toISOString() }, [
    `access token: ${access.accessToken}`,
    `It expires ${access.expiresAt ? `on ${access.expiresAt.toISOString()}` : 'when Jira revokes it'}.`,
    '',
    'Store the three secrets (gh asks for the access token; paste it there):',
    `  gh secret set JIRA_CONSUMER_KEY${repo} --body '${consumer.consumerKey.replace(/'/g, `'\\''`)}'`,
    `  gh secret set JIRA_PRIVATE_KEY${repo} < ${secretsTarget.privateKeyFile ?? KEY_FILES.privateKey}`,
    `  gh secret set JIRA_ACCESS_TOKEN${repo}`,
    '',
    'Then check them: jira-build-result check --jira-url ' + consumer.jiraUrl
  ])
  return EXIT.ok
}

/** `check`: who the credentials act as, or why Jira refused them. */
export async function checkCommand(options: ConnectionOptions, connection: Connection, io: CommandIo): Promise<number> {
  for (const warning of options.warnings) io.err(`warning: ${warning}`)
  const user = await checkCredentials(options, connection)
  emit(io, { user: user.name, displayName: user.displayName, authMode: options.auth.mode }, [
    `Authenticated to ${options.jiraUrl} as ${user.name}${user.displayName ? ` (${user.displayName})` : ''} with ${options.auth.mode}.`
  ])
  return EXIT.ok
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
