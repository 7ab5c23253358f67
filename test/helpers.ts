/** Shared test fixtures: real RSA keys, a started simulator, and the bundled action run as the runner runs it. */
import { spawn } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { unintendedCommands } from './runner.js'
import type { RetryPolicy } from '../src/jira/client.js'
import { JiraSimulator, type SimulatorOptions } from './sim/jira.js'

const madeDirs: string[] = []
process.on('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true })
})

/** A fresh folder in the system's temp dir, removed when the test process ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  madeDirs.push(dir)
  return dir
}

/** The project root, whether running from test/ or from build/test/. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), fileURLToPath(import.meta.url).includes('/build/') ? '../..' : '..')

export interface TestKeys {
  pkcs8: string
  pkcs1: string
  publicKey: string
}

let cached: TestKeys | undefined

/** A real 2048-bit RSA key pair, made once per test process. */
export function testKeys(): TestKeys {
  if (!cached) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    cached = {
      pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      pkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString()
    }
  }
  return cached
}

export const CONSUMER_KEY = 'jira-build-result'

/** A fresh random access token, so leak checks search for something unique. */
export function newAccessToken(): string {
  return randomBytes(16).toString('hex')
}

/** Starts a simulator that knows the test key pair and one authorized access token. */
export async function startSimulator(options: SimulatorOptions & { accessToken?: string } = {}): Promise<JiraSimulator> {
  const { accessToken, ...rest } = options
  return JiraSimulator.start({
    publicKeyPem: testKeys().publicKey,
    consumerKey: CONSUMER_KEY,
    accessTokens: accessToken ? { [accessToken]: 'ci-bot' } : {},
    ...rest
  })
}

export interface ActionRun {
  code: number | null
  stdout: string
  /** stdout without the runner's ::add-mask:: commands, which carry the secrets to the runner by design. */
  log: string
  stderr: string
  outputs: Record<string, string>
  summary: string
}

/** Reads a GITHUB_OUTPUT file written with core.setOutput's heredoc format. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!heredoc) continue
    const [, name, delimiter] = heredoc
    const value: string[] = []
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i])
    outputs[name] = value.join('\n')
  }
  return outputs
}

/** Runs a node script as a child process and collects what it prints. */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  input?: string
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolvePromise({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

/** A clean environment: PATH and HOME only, so nothing of the outer CI leaks in. */
export function baseEnv(): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_PROXY: '127.0.0.1,localhost' }
}

/** How many consecutive characters of a secret count as a leak. */
export const LEAK_RUN = 12

/**
 * The pieces of secrets that must never show, in lower case (a leak in another case is still
 * one): every 12-character run of each token (a shorter one whole), and of a private key's
 * base64 body (a log line may carry part of a key).
 */
export function secretPieces(secrets: Array<string | undefined>, privateKeys: Array<string | undefined>): string[] {
  const pieces: string[] = []
  const runs = (text: string): void => {
    const folded = text.toLowerCase()
    if (folded.length < LEAK_RUN) pieces.push(folded)
    for (let i = 0; i + LEAK_RUN <= folded.length; i++) pieces.push(folded.slice(i, i + LEAK_RUN))
  }
  for (const secret of secrets) if (typeof secret === 'string' && secret.trim().length >= 8) runs(secret.trim())
  for (const key of privateKeys) {
    if (!key) continue
    const body = key
      .replace(/\\n/g, '\n')
      .replace(/-----[A-Z ]+-----/g, '')
      .replace(/^[A-Za-z-]+:.*$/gm, '')
      .replace(/\s+/g, '')
    runs(body)
  }
  return pieces
}

/** Fails, without repeating the secret, when any piece shows in any of the texts, in any case. */
export function assertNoSecrets(texts: Record<string, string>, pieces: string[]): void {
  for (const [where, text] of Object.entries(texts)) {
    const folded = text.toLowerCase()
    const leaked = pieces.findIndex(piece => folded.includes(piece))
    if (leaked >= 0) throw new Error(`a secret (piece ${leaked}) leaked into ${where}`)
  }
}

/** Whether a value the tool asked the runner to mask is a secret or a form of one (encoded, base64, a line of a key). */
function formOfSecret(value: string, secrets: string[]): boolean {
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text)
    } catch {
      return text
    }
  }
  // A token the run was issued (a service account's access token) is not known here: it is
  // accepted by its looks, long and of a token's characters, as an injected mask would not be.
  if (/^[A-Za-z0-9+/=_.~%-]{16,}$/.test(value)) return true
  const views = [value, decode(value), decode(decode(value)), Buffer.from(value, 'base64').toString('utf8')].map(v => v.toLowerCase())
  return secrets.some(secret => {
    const folded = secret.toLowerCase()
    return views.some(view => view === folded || (view.length >= 4 && (view.includes(folded) || folded.includes(view))))
  })
}

/**
 * Fails when the runner would read, in what a front end printed, a command the tool did not
 * mean to issue (test/runner.ts models how the runner reads a log). Every run of a bundled
 * front end in the suite passes through here.
 */
export function assertOnlyIntendedCommands(streams: Record<string, string>, intended: string[], secrets: Array<string | undefined>): void {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map(s => s.trim())
  for (const [where, text] of Object.entries(streams)) {
    const problems = unintendedCommands(text, new Set(where === 'stdout' ? intended : []), value => formOfSecret(value, known))
    if (problems.length > 0) throw new Error(`the runner would read commands the tool did not mean in ${where}:\n${problems.join('\n')}`)
  }
}

/** Runs the bundled CLI; fails if a secret from its environment shows in what it prints. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = await runNode(join(ROOT, 'dist/cli/index.js'), args, { ...baseEnv(), ...env }, input)
  const keyFile = env.JIRA_PRIVATE_KEY_FILE
  let fileKey: string | undefined
  try {
    fileKey = keyFile ? readFileSync(keyFile, 'utf8') : undefined
  } catch {
    fileKey = undefined
  }
  const pieces = secretPieces(
    [env.JIRA_ACCESS_TOKEN, env.JIRA_PERSONAL_ACCESS_TOKEN, env.JIRA_API_TOKEN, env.JIRA_PRIVATE_KEY_PASSPHRASE, env.JIRA_CLIENT_SECRET],
    [env.JIRA_PRIVATE_KEY, fileKey]
  )
  assertNoSecrets({ stdout: run.stdout, stderr: run.stderr }, pieces)
  // A CLI run inside a workflow step is read by the runner too: it issues no command at all.
  assertOnlyIntendedCommands({ stdout: run.stdout, stderr: run.stderr }, [], [])
  return run
}

/**
 * Runs the bundled action exactly as the Actions runner does: `node dist/index.js` with one
 * INPUT_<NAME> variable per input (hyphens kept), and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
export async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'jbr-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  // Step debug on, as a user chasing a problem would have it: debug lines must not leak either.
  const env: Record<string, string | undefined> = {
    ...baseEnv(),
    ACTIONS_STEP_DEBUG: 'true',
    RUNNER_DEBUG: '1',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...extraEnv
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  const { code, stdout, stderr } = await runNode(join(ROOT, 'dist/index.js'), [], env)
  const log = stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  const outputText = readFileSync(outputFile, 'utf8')
  const summary = readFileSync(summaryFile, 'utf8')
  rmSync(dir, { recursive: true, force: true })
  // Every run of the action in the suite is also a leak test.
  const pieces = secretPieces(
    [inputs['access-token'], inputs['personal-access-token'], inputs['api-token'], inputs['private-key-passphrase'], inputs['client-secret']],
    [inputs['private-key']]
  )
  assertNoSecrets({ log, stderr, 'the output file': outputText, 'the job summary': summary }, pieces)
  assertOnlyIntendedCommands(
    { stdout, stderr },
    ['add-mask', 'debug', 'warning', 'error'],
    [
      inputs['access-token'],
      inputs['personal-access-token'],
      inputs['api-token'],
      inputs['private-key-passphrase'],
      inputs['client-secret'],
      inputs['private-key'],
      inputs.user && inputs['api-token'] ? Buffer.from(`${inputs.user}:${inputs['api-token']}`).toString('base64') : undefined
    ]
  )
  return { code, stdout, log, stderr, outputs: parseOutputFile(outputText), summary }
}

/** The inputs of a working OAuth run against a simulator. */
export function oauthInputs(sim: JiraSimulator, accessToken: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'jira-url': sim.baseUrl,
    'consumer-key': CONSUMER_KEY,
    'private-key': testKeys().pkcs8,
    'access-token': accessToken,
    'fail-on-error': 'true',
    'dry-run': 'false',
    ...extra
  }
}

/** The verification code on Jira's approval page ("Your verification code is 'XXXXXX'"). */
export function verificationCodeFrom(page: string): string | undefined {
  return /verification code is '([^']+)'/.exec(page)?.[1]
}

/** A clock that starts at a fixed instant and moves only when the client sleeps. */
export function fakeClock(maxRetries = 3, timeoutSeconds = 60): { policy: RetryPolicy; waits: number[] } {
  let now = Date.parse('2026-11-24T10:00:00Z')
  const waits: number[] = []
  const policy: RetryPolicy = {
    maxRetries,
    deadline: now + timeoutSeconds * 1000,
    now: () => now,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(new Error('stopped'))
      waits.push(ms)
      now += ms
      return Promise.resolve()
    },
    random: () => 0.5
  }
  return { policy, waits }
}

/** A clock for client and simulator alike, moved only by the client's waits and by the test. */
export class FakeClock {
  ms = Date.parse('2026-12-01T10:00:00Z')
  readonly waits: number[] = []
  readonly policy: RetryPolicy = {
    maxRetries: 3,
    deadline: this.ms + 3_600_000,
    now: () => this.ms,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(new Error('stopped'))
      this.waits.push(ms)
      this.ms += ms
      return Promise.resolve()
    },
    random: () => 0.5
  }
  seconds = (): number => Math.floor(this.ms / 1000)
}
