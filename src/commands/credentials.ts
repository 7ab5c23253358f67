import { lstat, mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AUTH_MODE_NAMES } from '../jira/auth.js'
import { checkCredentials } from '../jira/check.js'
import type { Connection } from '../jira/connect.js'
import type { ConnectionOptions, ConsumerOptions } from '../options.js'
import { fetchAccessToken, fetchRequestToken } from '../jira/dance.js'
import { codeOf } from '../jira/errors.js'
import { generateKeys } from '../oauth/keygen.js'
import { emit, EXIT, type CommandIo } from './io.js'

export const KEY_FILES = {
  privateKey: 'jira_privatekey.pem',
  publicKey: 'jira_publickey.pem',
  certificate: 'jira_certificate.pem'
} as const

/**
 * `keygen`: a PKCS#8 private key (0600), its public key and a self-signed certificate. Each file
 * is created exclusively (O_EXCL): an existing file or symbolic link at a path, a dangling one
 * too, is refused unless `force`, which removes the file or the link itself (never a link's
 * target) and then creates the file afresh. A link planted between the two is refused too.
 */
export async function keygenCommand(outDir: string, bits: number, force: boolean, io: CommandIo, signal?: AbortSignal): Promise<number> {
  const paths = {
    privateKey: join(outDir, KEY_FILES.privateKey),
    publicKey: join(outDir, KEY_FILES.publicKey),
    certificate: join(outDir, KEY_FILES.certificate)
  }
  const existing: Array<{ path: string; kind: string }> = []
  for (const path of Object.values(paths)) {
    const kind = await entryKind(path)
    if (kind !== undefined) existing.push({ path, kind })
  }
  const folders = existing.filter(entry => entry.kind === 'folder')
  if (folders.length > 0) {
    io.err(
      `error: ${folders.map(entry => entry.path).join(', ')} ${folders.length === 1 ? 'is a folder' : 'are folders'}. Remove ${folders.length === 1 ? 'it' : 'them'}, or pass --out DIR for another folder.`
    )
    return EXIT.usage
  }
  if (!force && existing.length > 0) {
    const list = existing.map(entry => (entry.kind === 'link' ? `${entry.path} (a symbolic link)` : entry.path)).join(', ')
    io.err(
      `error: ${list} already exist${existing.length === 1 ? 's' : ''}. Pass --force to replace ${existing.length === 1 ? 'it' : 'them'}, or --out DIR for another folder.`
    )
    return EXIT.usage
  }
  const keys = await generateKeys(bits)
  if (signal?.aborted) {
    io.err('error: cancelled; no file was written.')
    return EXIT.cancelled
  }
  await mkdir(outDir, { recursive: true })
  // --force: the old file or link goes, not what a link points at.
  for (const entry of existing) await rm(entry.path, { force: true })
  try {
    await createExclusive(paths.privateKey, keys.privateKeyPem, 0o600)
    await createExclusive(paths.publicKey, keys.publicKeyPem, 0o644)
    await createExclusive(paths.certificate, keys.certificatePem, 0o644)
  } catch (thrown) {
    if (codeOf(thrown) !== 'EEXIST') throw thrown
    io.err(
      `error: a file or link appeared at ${(thrown as { path?: string }).path ?? outDir} while the keys were written; nothing was written over it. Check who else writes to ${outDir}.`
    )
    return EXIT.failed
  }
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

/** What stands at a path, without following a link: a file, a link (dangling or not), a folder, or nothing. */
async function entryKind(path: string): Promise<'file' | 'link' | 'folder' | undefined> {
  try {
    const entry = await lstat(path)
    return entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'folder' : 'file'
  } catch (thrown) {
    if (codeOf(thrown) === 'ENOENT') return undefined
    throw thrown
  }
}

/** Creates a new file (O_CREAT | O_EXCL: never through a link) with its mode from the start. */
async function createExclusive(path: string, text: string, mode: number): Promise<void> {
  const file = await open(path, 'wx', mode)
  try {
    await file.writeFile(text)
    // The umask may have taken bits away; set exactly these on the file just made, not by path.
    await file.chmod(mode)
  } finally {
    await file.close()
  }
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
  const who = `${user.name}${user.displayName ? ` (${user.displayName})` : ''}`
  const via = user.apiUrl && user.apiUrl !== options.jiraUrl ? `, through ${user.apiUrl}` : ''
  const line =
    options.auth.mode === 'client-credentials'
      ? `Authenticated to ${options.jiraUrl}${via} with ${AUTH_MODE_NAMES[options.auth.mode]}: the service account acts as ${who}.`
      : `Authenticated to ${options.jiraUrl}${via} as ${who} with ${AUTH_MODE_NAMES[options.auth.mode]}.`
  emit(io, { user: user.name, displayName: user.displayName, authMode: options.auth.mode, ...(user.apiUrl ? { apiUrl: user.apiUrl } : {}) }, [line])
  return EXIT.ok
}
