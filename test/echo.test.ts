/* eslint-disable no-control-regex -- the attacks are made of control characters */
/**
 * A Jira, proxy or WAF that echoes the credentials back, in every place Jira's text reaches a
 * message and in every encoding an echo may wear; and text that tries to become a workflow
 * command through every character the runner reads as whitespace or a line break. The whole
 * matrix runs in process, against the core and both front ends' sinks (the action through its
 * real run(), @actions/core included); a representative part runs through the two bundles.
 * Whatever the placement, encoding or way to authenticate: no 12-character run of any secret in
 * stdout, stderr, GITHUB_OUTPUT or GITHUB_STEP_SUMMARY, and no command the tool did not mean.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CLI_WORDS, cliInputName } from '../src/commands/flags.js'
import { updateCommand } from '../src/commands/update.js'
import { JiraError } from '../src/jira/errors.js'
import { percentEncode, Redactor, redactorFor } from '../src/jira/redact.js'
import { transportFor } from '../src/jira/transport.js'
import { run } from '../src/main.js'
import { parseUpdateOptions, type RawInputs } from '../src/options.js'
import { summarizeResults } from '../src/report/outcome.js'
import { cliSink } from '../src/report/sink.js'
import { summaryMarkdown } from '../src/report/summary.js'
import {
  assertNoSecrets,
  assertOnlyIntendedCommands,
  CONSUMER_KEY,
  parseOutputFile,
  runAction,
  runCli,
  secretPieces,
  startSimulator,
  tempDir,
  testKeys
} from './helpers.js'
import { runnerCommands } from './runner.js'
import type { InjectedResponse, JiraSimulator } from './sim/jira.js'

const hex = (bytes: number): string => randomBytes(bytes).toString('hex')
// Tokens with characters that encodings change (+ / = _ ~ * &) and letters whose case can change.
const PAT = `Pat_${hex(10)}~*&${hex(8)}/+=`
const USER = 'ci@example.com'
const API_TOKEN = `Api+${hex(12)}/${hex(6)}=`
const ACCESS_TOKEN = `Tok+${hex(12)}/${hex(4)}=`
const BASIC = Buffer.from(`${USER}:${API_TOKEN}`).toString('base64')

interface Mode {
  name: string
  inputs: Record<string, string>
  /** What an echo may carry: the secret and the forms it travels in. */
  echoed: string[]
  /** What must never show, 12 characters at a time. */
  secrets: string[]
}

const MODES: Mode[] = [
  { name: 'PAT', inputs: { 'personal-access-token': PAT }, echoed: [PAT], secrets: [PAT, b64(PAT)] },
  {
    name: 'basic',
    inputs: { user: USER, 'api-token': API_TOKEN },
    echoed: [API_TOKEN, `${USER}:${API_TOKEN}`, BASIC],
    secrets: [API_TOKEN, BASIC, b64(API_TOKEN)]
  },
  {
    name: 'OAuth',
    inputs: { 'consumer-key': CONSUMER_KEY, 'private-key': testKeys().pkcs8, 'access-token': ACCESS_TOKEN },
    echoed: [ACCESS_TOKEN],
    secrets: [ACCESS_TOKEN, b64(ACCESS_TOKEN)]
  }
]

function b64(text: string): string {
  return Buffer.from(text).toString('base64')
}

const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, escape => escape.toLowerCase())
const half = (text: string): number => Math.floor(text.length / 2)

/** The encodings an echo may wear, each as an echo of the secret. */
const ENCODINGS: Record<string, (secret: string) => string> = {
  raw: secret => secret,
  'percent-encoded, lower-case hex': secret => lowerHex(percentEncode(secret)),
  'every byte percent-encoded, lower-case hex': secret => [...Buffer.from(secret)].map(byte => `%${byte.toString(16).padStart(2, '0')}`).join(''),
  'percent-encoded twice': secret => percentEncode(percentEncode(secret)),
  'form-encoded': secret => new URLSearchParams({ s: secret }).toString().slice(2),
  base64: secret => b64(secret),
  'base64 inside a longer text': secret => b64(`Authorization: x ${secret}`),
  'upper case': secret => secret.toUpperCase(),
  'split by a line break': secret => `${secret.slice(0, half(secret))}\n${secret.slice(half(secret))}`,
  'split by NEL': secret => `${secret.slice(0, half(secret))}\u0085${secret.slice(half(secret))}`,
  'split by an ANSI sequence': secret => `${secret.slice(0, half(secret))}\u001b[0m${secret.slice(half(secret))}`,
  'JSON \\u on the first character': secret => `\\u${secret.charCodeAt(0).toString(16).padStart(4, '0')}${secret.slice(1)}`,
  'HTML entity on the first character': secret => `&#${secret.charCodeAt(0)};${secret.slice(1)}`,
  'hex HTML entity, named entities': secret => `&#x${secret.charCodeAt(0).toString(16)};${secret.slice(1).replace(/\//g, '&sol;').replace(/\+/g, '&plus;')}`,
  'PHP-style \\/': secret => secret.replace(/\//g, '\\/'),
  'cut to its last 14 characters': secret => secret.slice(-14)
}

// Headers cannot hold a line break or a control character: an echo there percent-encodes them.
const forHeader = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)

interface Placement {
  /** The answer that carries the echo, and the inputs that make the tool read it. */
  answer: (echo: string) => InjectedResponse[]
  inputs?: Record<string, string>
}

const JSON_TYPE = { 'Content-Type': 'application/json' }
const SET = { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }

const PLACEMENTS: Record<string, Placement> = {
  'JSON 400 errorMessages': {
    answer: echo => [{ status: 400, headers: JSON_TYPE, body: JSON.stringify({ errorMessages: [`Bad value: ${echo}`], errors: {} }) }]
  },
  "an error's key": { answer: echo => [{ status: 400, headers: JSON_TYPE, body: JSON.stringify({ errorMessages: [], errors: { [echo]: 'is not valid' } }) }] },
  'HTML 500 with a long title': {
    // The echo straddles where a title used to be cut (160 characters).
    answer: echo => [
      {
        status: 500,
        headers: { 'Content-Type': 'text/html' },
        body: `<html><head><title>${'Service Unavailable '.repeat(7)}${echo}</title></head><body>x</body></html>`
      }
    ]
  },
  '401 WWW-Authenticate': {
    answer: echo => [
      {
        status: 401,
        headers: { 'WWW-Authenticate': `OAuth realm="${forHeader(echo)}", oauth_problem="${forHeader(echo)}"`, 'Content-Type': 'text/plain' },
        body: ''
      }
    ]
  },
  'signature_invalid base string': {
    answer: echo => [
      {
        status: 401,
        headers: { 'WWW-Authenticate': 'OAuth oauth_problem="signature_invalid"', 'Content-Type': 'text/plain' },
        body: `oauth_problem=signature_invalid&oauth_signature_base_string=${encodeURIComponent(`GET&${echo}&oauth_version%3D1.0`)}`
      }
    ]
  },
  'a self link': { answer: echo => [{ status: 500, headers: JSON_TYPE, body: JSON.stringify({ self: `https://jira.example.com/rest/api/2/issue/${echo}` }) }] },
  'a redirect Location': {
    answer: echo => [{ status: 302, headers: { Location: `https://jira.example.com/jira/login.jsp?os_destination=${forHeader(echo)}` } }]
  },
  'a CAPTCHA login-url': {
    answer: echo => [
      {
        status: 403,
        headers: {
          'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED',
          'X-Authentication-Denied-Reason': `CAPTCHA_CHALLENGE; login-url=https://jira.example.com/login.jsp?x=${forHeader(echo)}`
        }
      }
    ]
  },
  'edit metadata: field name and options': {
    answer: echo => [
      {
        status: 200,
        pathIncludes: '/issue/CI-1',
        headers: JSON_TYPE,
        body: JSON.stringify({
          fields: {},
          editmeta: {
            fields: {
              customfield_10314: {
                name: `Build ${echo}`,
                schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select' },
                allowedValues: [
                  { id: '1', value: echo },
                  { id: '2', value: `Failed ${echo}` }
                ]
              }
            }
          }
        })
      }
    ]
  },
  'field names and ids': {
    inputs: { field: 'Build Result' },
    answer: echo => [
      {
        status: 200,
        pathIncludes: '/rest/api/2/field',
        headers: JSON_TYPE,
        body: JSON.stringify([
          { id: `customfield_1${echo}`, name: 'Build Result' },
          { id: 'customfield_2', name: 'build result' }
        ])
      }
    ]
  },
  'a JQL answer': {
    inputs: { issue: '', jql: 'project = CI' },
    answer: echo => [{ status: 200, pathIncludes: '/search', headers: JSON_TYPE, body: JSON.stringify({ startAt: 0, total: 1, issues: [{ key: echo }] }) }]
  }
}

/** A run of the real action in this process: its run() with INPUT_* variables and the runner's files. */
async function actionInProcess(inputs: Record<string, string>): Promise<{ stdout: string; outputFile: string; summary: string }> {
  const dir = tempDir('jbr-echo-')
  const outputPath = join(dir, 'output')
  const summaryPath = join(dir, 'summary')
  writeFileSync(outputPath, '')
  writeFileSync(summaryPath, '')
  const env: Record<string, string> = { GITHUB_OUTPUT: outputPath, GITHUB_STEP_SUMMARY: summaryPath }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const saved = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]))
  Object.assign(process.env, env)
  const write = process.stdout.write.bind(process.stdout)
  let stdout = ''
  // @actions/core writes strings; the test runner's own reports (buffers) pass through.
  process.stdout.write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') {
      stdout += chunk
      return true
    }
    return (write as (chunk: unknown, ...rest: unknown[]) => boolean)(chunk, ...rest)
  }
  try {
    await run()
  } finally {
    process.stdout.write = write
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    process.exitCode = undefined
  }
  return { stdout, outputFile: readFileSync(outputPath, 'utf8'), summary: readFileSync(summaryPath, 'utf8') }
}

/** A run of the CLI's update in this process: its sink over captured streams, the core behind. */
async function cliInProcess(raw: RawInputs, json: boolean): Promise<{ stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const secrets = (['personal-access-token', 'api-token', 'access-token', 'private-key'] as const).map(name => raw[name] ?? '')
  const sink = cliSink(new Redactor(secrets), { stdout: text => (stdout += `${text}\n`), stderr: text => (stderr += `${text}\n`) })
  const options = parseUpdateOptions(raw, cliInputName, { sourceTexts: [], templateValues: {} })
  const redactor = redactorFor(options.auth)
  sink.protect(redactor)
  const transport = transportFor(options)
  try {
    await updateCommand(
      options,
      { transport, words: CLI_WORDS, redactor },
      { json, out: text => sink.out(text), err: (text, max) => sink.err(text, max), ask: () => Promise.resolve('') },
      true
    )
  } finally {
    transport.close()
  }
  return { stdout, stderr }
}

/** stdout without the runner's ::add-mask:: lines, which carry the secrets to the runner by design. */
const withoutMasks = (stdout: string): string =>
  stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')

describe('a hostile echo of the credentials, in every placement and encoding', () => {
  let sim: JiraSimulator
  before(async () => {
    sim = await startSimulator({
      accessTokens: { [ACCESS_TOKEN]: 'ci-bot' },
      personalAccessTokens: { [PAT]: 'pat-user' },
      basicUsers: { [USER]: API_TOKEN }
    })
  })
  after(() => sim.close())

  const size = MODES.reduce((n, mode) => n + mode.echoed.length, 0) * Object.keys(PLACEMENTS).length * Object.keys(ENCODINGS).length

  it(`shows no 12-character run of a secret, in process, through the action's run() (${size} runs)`, async () => {
    let runs = 0
    // Where each placement was shown, redacted (some are said without quoting for some ways to
    // authenticate, such as a signature_invalid answer to a PAT): every one must be, somewhere.
    const shown = new Set<string>()
    for (const mode of MODES) {
      const pieces = secretPieces(mode.secrets, [mode.inputs['private-key']])
      for (const [placementName, placement] of Object.entries(PLACEMENTS)) {
        for (const echoed of mode.echoed) {
          for (const [encodingName, encode] of Object.entries(ENCODINGS)) {
            sim.clearInjected()
            sim.inject(...placement.answer(encode(echoed)))
            const inputs = { 'jira-url': sim.baseUrl, ...SET, 'max-retries': '0', ...placement.inputs, ...mode.inputs }
            const result = await actionInProcess(inputs)
            const where = `${mode.name}, ${placementName}, ${encodingName}`
            const log = withoutMasks(result.stdout)
            try {
              assertNoSecrets({ stdout: log, 'the output file': result.outputFile, 'the job summary': result.summary }, pieces)
              assertOnlyIntendedCommands(
                { stdout: result.stdout },
                ['add-mask', 'debug', 'warning', 'error'],
                [...mode.secrets, `${USER}:${API_TOKEN}`, mode.inputs['private-key']]
              )
            } catch (thrown) {
              throw new Error(`${where}: ${(thrown as Error).message}`)
            }
            assert.notEqual(parseOutputFile(result.outputFile).result, 'updated', where)
            if (/\*\*\*|characters elided/.test(log + result.summary)) shown.add(placementName)
            runs++
          }
        }
      }
    }
    assert.equal(runs, size)
    // The echo was read and shown with the secret cut out, in every placement.
    assert.deepEqual([...shown].sort(), Object.keys(PLACEMENTS).sort())
  })

  it('shows none through the CLI in process either, on stderr and in --json', async () => {
    const shown = new Set<string>()
    for (const mode of MODES) {
      const pieces = secretPieces(mode.secrets, [mode.inputs['private-key']])
      for (const [placementName, placement] of Object.entries(PLACEMENTS)) {
        for (const encodingName of ['raw', 'percent-encoded, lower-case hex', 'base64', 'split by a line break', 'HTML entity on the first character']) {
          const json = encodingName !== 'raw'
          sim.clearInjected()
          sim.inject(...placement.answer(ENCODINGS[encodingName](mode.echoed[mode.echoed.length - 1])))
          const raw: RawInputs = { 'jira-url': sim.baseUrl, ...SET, 'max-retries': '0', ...placement.inputs, ...mode.inputs }
          const result = await cliInProcess(raw, json)
          const where = `${mode.name}, ${placementName}, ${encodingName}`
          try {
            assertNoSecrets(result, pieces)
            assertOnlyIntendedCommands(result, [], [])
          } catch (thrown) {
            throw new Error(`${where}: ${(thrown as Error).message}`)
          }
          if (json) assert.doesNotThrow(() => JSON.parse(result.stdout), where)
          if (/\*\*\*|characters elided/.test(result.stderr + result.stdout)) shown.add(placementName)
        }
      }
    }
    assert.deepEqual([...shown].sort(), Object.keys(PLACEMENTS).sort())
  })

  for (const [modeIndex, [placementName, encodingName]] of [
    ['HTML 500 with a long title', 'percent-encoded, lower-case hex'],
    ['JSON 400 errorMessages', 'base64'],
    ['signature_invalid base string', 'split by a line break']
  ].entries()) {
    const mode = MODES[modeIndex]
    it(`shows none through the bundled action: ${mode.name}, ${placementName}, ${encodingName}`, async () => {
      sim.clearInjected()
      sim.inject(...PLACEMENTS[placementName].answer(ENCODINGS[encodingName](mode.echoed[mode.echoed.length - 1])))
      // runAction checks every 12-character run of the secrets and the runner's reading of the log.
      const run = await runAction({ 'jira-url': sim.baseUrl, ...SET, 'max-retries': '0', ...mode.inputs })
      assert.equal(run.code, 1)
      assertNoSecrets({ log: run.log, summary: run.summary }, secretPieces(mode.secrets, []))
      assert.match(run.log + run.summary, /\*\*\*|characters elided/)
    })
  }

  for (const [modeIndex, [placementName, encodingName]] of [
    ['edit metadata: field name and options', 'upper case'],
    ['401 WWW-Authenticate', 'HTML entity on the first character'],
    ['a JQL answer', 'JSON \\u on the first character']
  ].entries()) {
    const mode = MODES[modeIndex]
    it(`shows none through the bundled CLI: ${mode.name}, ${placementName}, ${encodingName}`, async () => {
      sim.clearInjected()
      sim.inject(...PLACEMENTS[placementName].answer(ENCODINGS[encodingName](mode.echoed[mode.echoed.length - 1])))
      const placement = PLACEMENTS[placementName]
      const flags = Object.entries({ ...SET, ...placement.inputs })
        .filter(([, value]) => value !== '')
        .flatMap(([name, value]) => [`--${name}`, value])
      const env: Record<string, string> = {
        JIRA_PERSONAL_ACCESS_TOKEN: mode.inputs['personal-access-token'] ?? '',
        JIRA_USER: mode.inputs.user ?? '',
        JIRA_API_TOKEN: mode.inputs['api-token'] ?? '',
        JIRA_CONSUMER_KEY: mode.inputs['consumer-key'] ?? '',
        JIRA_PRIVATE_KEY: mode.inputs['private-key'] ?? '',
        JIRA_ACCESS_TOKEN: mode.inputs['access-token'] ?? ''
      }
      for (const name of Object.keys(env)) if (env[name] === '') delete env[name]
      // runCli checks every 12-character run of the secrets and the runner's reading of both streams.
      const run = await runCli(['update', '--jira-url', sim.baseUrl, ...flags, '--max-retries', '0', '--debug'], env)
      assert.equal(run.code, 1)
      assertNoSecrets({ stdout: run.stdout, stderr: run.stderr }, secretPieces(mode.secrets, []))
      assert.match(run.stderr, /\*\*\*|characters elided/)
    })
  }
})

// Every character the runner treats as whitespace or a line break, and the ones a reader may.
const BREAKS: Record<string, string> = {
  'CR alone': '\r',
  LF: '\n',
  NEL: '\n\u0085',
  'NEL alone': '\u0085',
  'line separator': '\u2028',
  'paragraph separator': '\u2029',
  'vertical tab': '\n\u000b',
  'form feed': '\n\u000c',
  tab: '\n\t',
  'no-break space': '\n\u00a0',
  'soft hyphen': '\n\u00ad'
}
const INJECTIONS = [
  '::error title=PWNED::pwned',
  '::add-mask::CI-1',
  '::stop-commands::PWNED',
  '##[error]PWNED',
  '#\u00ad#[add-mask]PWNED',
  '::set-output name=PWNED::x'
]

describe('a fence the runner cannot be talked out of', () => {
  let sim: JiraSimulator
  const token = `tok${hex(16)}`
  before(async () => {
    sim = await startSimulator({ personalAccessTokens: { [token]: 'ci-bot' } })
  })
  after(() => sim.close())
  // The fence does not depend on the way to authenticate; a PAT keeps the matrix quick.
  const auth = { 'personal-access-token': token }

  /**
   * Commands the runner would run that the attacker wrote: their title, or data that starts with
   * the attacker's (the tool's own annotations may quote the text harmlessly, as their data).
   */
  const injected = (output: string): string[] =>
    runnerCommands(output)
      .filter(command => !command.stopped && (/PWNED/.test(command.properties.title ?? '') || /^(pwned|PWNED|CI-1|x$)/.test(command.data.trim())))
      .map(command => command.line)

  // Where an outsider's or Jira's text reaches a log line: the value input (a branch name fills
  // {ref}), and Jira's field id, field name and option values.
  const placements: Record<string, (text: string) => { inputs: Record<string, string>; answer?: InjectedResponse[] }> = {
    'the value input': text => ({ inputs: { issue: 'CI-2', field: 'customfield_10317', value: `Build 42${text}` } }),
    'the value input, dry run': text => ({ inputs: { issue: 'CI-2', field: 'customfield_10317', value: `Build 42${text}`, 'dry-run': 'true' } }),
    "Jira's field id": text => ({
      inputs: { issue: 'CI-2', field: 'Build Result', value: 'Build Passed', 'dry-run': 'true' },
      answer: [
        { status: 200, pathIncludes: '/rest/api/2/field', headers: JSON_TYPE, body: JSON.stringify([{ id: `customfield_10314${text}`, name: 'Build Result' }]) }
      ]
    }),
    "Jira's field name and options": text => ({
      inputs: { issue: 'CI-2', field: 'customfield_10314', value: 'nope' },
      answer: [
        {
          status: 200,
          pathIncludes: '/issue/CI-2',
          headers: JSON_TYPE,
          body: JSON.stringify({
            fields: {},
            editmeta: {
              fields: { customfield_10314: { name: `Result${text}`, schema: { type: 'option' }, allowedValues: [{ id: '1', value: `Passed${text}` }] } }
            }
          })
        }
      ]
    })
  }

  it(`lets no line break or whitespace start a command, in process (${Object.keys(BREAKS).length * INJECTIONS.length * 4} runs)`, async () => {
    for (const [placementName, place] of Object.entries(placements)) {
      for (const [breakName, separator] of Object.entries(BREAKS)) {
        for (const injection of INJECTIONS) {
          const { inputs, answer } = place(`${separator}${injection}${separator}tail`)
          sim.clearInjected()
          if (answer) sim.inject(...answer)
          const result = await actionInProcess({ 'jira-url': sim.baseUrl, ...auth, ...inputs })
          const where = `${placementName}, ${breakName}, ${JSON.stringify(injection)}`
          assert.deepEqual(injected(result.stdout), [], where)
          assertOnlyIntendedCommands({ stdout: result.stdout }, ['add-mask', 'debug', 'warning', 'error'], [token])
        }
      }
    }
  })

  it('strips ANSI escape sequences from what Jira says', async () => {
    sim.clearInjected()
    sim.inject({
      status: 400,
      headers: JSON_TYPE,
      body: JSON.stringify({ errorMessages: ['\u001b[2J\u001b[31mred\u001b[0m \u001b]0;title\u0007done \u009b1mx'] })
    })
    const result = await actionInProcess({ 'jira-url': sim.baseUrl, ...auth, ...SET, issue: 'CI-3' })
    assert.match(result.stdout, /Jira rejected the request \(HTTP 400\): red done x\./)
    assert.doesNotMatch(result.stdout + result.summary, /[\u001b\u009b]/)
  })

  for (const [breakName, separator] of Object.entries({ NEL: '\n\u0085', 'CR alone': '\r', 'line separator': '\u2028' })) {
    it(`lets no ${breakName} start a command through the bundled action and CLI`, async () => {
      const value = `Build 42${separator}::error title=PWNED::pwned${separator}##[add-mask]PWNED`
      const action = await runAction({ 'jira-url': sim.baseUrl, ...auth, issue: 'CI-4', field: 'customfield_10317', value })
      assert.equal(action.code, 0, action.log)
      assert.deepEqual(injected(action.stdout), [])
      const cli = await runCli(['update', '--jira-url', sim.baseUrl, '--issue', 'CI-4', '--field', 'customfield_10317', '--value', value, '--dry-run'], {
        JIRA_PERSONAL_ACCESS_TOKEN: token
      })
      assert.equal(cli.code, 0, cli.stderr)
      assert.deepEqual(injected(cli.stderr), [])
      assert.deepEqual(injected(cli.stdout), [])
    })
  }
})

describe('what is shown stays small, whatever Jira answers', () => {
  let sim: JiraSimulator
  const token = `tok${hex(16)}`
  before(async () => {
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())
  const oauth = { 'consumer-key': CONSUMER_KEY, 'private-key': testKeys().pkcs8, 'access-token': token }

  /** The byte size of each line of a kind the runner turns into an annotation or a debug line. */
  const lineBytes = (stdout: string, kind: RegExp): number[] =>
    stdout
      .split('\n')
      .filter(line => kind.test(line))
      .map(line => Buffer.byteLength(line))

  const checkCaps = (result: { stdout: string; summary: string }): void => {
    const annotations = lineBytes(result.stdout, /^::(error|warning)/)
    assert.ok(annotations.length > 0)
    for (const bytes of annotations) assert.ok(bytes < 4096, `an annotation of ${bytes} bytes`)
    for (const bytes of lineBytes(result.stdout, /^::debug::/)) assert.ok(bytes <= 4096, `a debug line of ${bytes} bytes`)
    assert.ok(Buffer.byteLength(result.summary) < 64 * 1024, `a summary of ${Buffer.byteLength(result.summary)} bytes`)
  }

  it('lists 20 of 60,000 options and counts the rest, in annotations under 4 KiB', async () => {
    const allowedValues = Array.from({ length: 60_000 }, (_, i) => ({ id: String(i), value: `Option number ${i} ${'x'.repeat(10)}` }))
    sim.inject({
      status: 200,
      pathIncludes: '/issue/CI-5',
      headers: JSON_TYPE,
      body: JSON.stringify({ fields: {}, editmeta: { fields: { customfield_10314: { name: 'Build Result', schema: { type: 'option' }, allowedValues } } } })
    })
    const result = await actionInProcess({ 'jira-url': sim.baseUrl, ...oauth, ...SET, issue: 'CI-5', value: 'Nope' })
    assert.match(result.stdout, /Use one of: "Option number 0 x{10}", .*"Option number 19 x{10}" \(\+59,980 more\)\./)
    checkCaps(result)
  })

  it('names 20 of 20,000 fields of the same name and counts the rest', async () => {
    const fields = Array.from({ length: 20_000 }, (_, i) => ({ id: `customfield_${20_000 + i}`, name: 'Build Result' }))
    sim.inject({ status: 200, pathIncludes: '/rest/api/2/field', headers: JSON_TYPE, body: JSON.stringify(fields) })
    const result = await actionInProcess({ 'jira-url': sim.baseUrl, ...oauth, ...SET, field: 'Build Result' })
    assert.match(result.stdout, /20000 fields are named "Build Result": .*\(customfield_20019\) \(\+19,980 more\)\./)
    checkCaps(result)
  })

  it('cuts a 1 MB signature base string to a debug line of at most 4 KiB', async () => {
    const huge = `GET&${'a'.repeat(1024 * 1024)}`
    sim.inject({
      status: 401,
      headers: { 'WWW-Authenticate': 'OAuth oauth_problem="signature_invalid"', 'Content-Type': 'text/plain' },
      body: `oauth_problem=signature_invalid&oauth_signature_base_string=${encodeURIComponent(huge)}`
    })
    const result = await actionInProcess({ 'jira-url': sim.baseUrl, ...oauth, ...SET, issue: 'CI-6' })
    assert.match(result.stdout, /::debug::CI-6: Jira's signature base string: GET&/)
    checkCaps(result)
  })

  it('keeps the job summary under 64 KiB for thousands of issues with long failures', () => {
    const error = new JiraError('invalid', `Jira rejected the request (HTTP 400): ${'a long reason '.repeat(200)}`, 'Fix it.')
    const change = {
      target: 'Build Result',
      origin: "input 'field'",
      action: 'set' as const,
      value: 'x'.repeat(5000),
      outcome: 'failed' as const,
      reason: error.reason
    }
    const results = Array.from({ length: 5000 }, (_, i) => ({ issueKey: `CI-${i + 1}`, outcome: 'invalid' as const, changes: [change], error }))
    const markdown = summaryMarkdown(summarizeResults(results), 'https://jira.example.com')
    assert.ok(Buffer.byteLength(markdown) < 64 * 1024, `${Buffer.byteLength(markdown)} bytes`)
    assert.match(markdown, /\| \[CI-1\]\(https:\/\/jira\.example\.com\/browse\/CI-1\) \|/)
    assert.match(markdown, /\*[\d,]+ more issue\(s\) not listed here: the outputs have every key\.\*/)
  })
})
