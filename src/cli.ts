#!/usr/bin/env node
/**
 * The command line, for Jenkins pipelines and people. It only reads arguments and the
 * environment, then calls the same core as the action. Secrets come from the environment,
 * never from flags, which would show in the process list and the build log.
 */
import { readFileSync } from 'node:fs'
import { authSecrets } from './jira/auth.js'
import type { Connection } from './jira/connect.js'
import { Redactor } from './jira/redact.js'
import type { Words } from './jira/words.js'
import { createInterface } from 'node:readline'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { accessTokenCommand, authorizeCommand, checkCommand, keygenCommand, requestTokenCommand } from './commands/credentials.js'
import { emit, EXIT, type CommandIo } from './commands/io.js'
import { updateCommand } from './commands/update.js'
import { runResultOf } from './report/outcome.js'
import { JiraError, messageOf } from './jira/errors.js'
import { transportFor, type Transport } from './jira/transport.js'
import type { SourceText } from './issues/discover.js'
import {
  INPUT_NAMES,
  InputError,
  NoCredentialsError,
  parseConnectionOptions,
  parseConsumerOptions,
  parseUpdateOptions,
  SECRET_INPUTS,
  type InputName,
  type AuthConfig,
  type InputNamer,
  type NetworkOptions,
  type RawInputs,
  type RunContext
} from './options.js'

type Options = NonNullable<ParseArgsConfig['options']>

const COMMON: Options = {
  'jira-url': { type: 'string' },
  'max-retries': { type: 'string' },
  timeout: { type: 'string' },
  'ca-certificate': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' }
}

const COMMANDS: Record<string, { summary: string; usage: string; options: Options }> = {
  update: {
    summary: 'set a field on one or more issues (what the action does)',
    usage: `update --jira-url URL [--issue KEYS | --jql QUERY] --field ID|NAME (--value VALUE | --status S --value-map MAP)
              [--fields JSON] [--issue-source pr-title,branch,commits] [--projects KEYS] [--notify-users false]
              [--concurrency 4] [--dry-run] [--fail-on-error false] [--json] [--debug]

  Without --issue or --jql, keys are found in CHANGE_TITLE (pull request title) and
  BRANCH_NAME / CHANGE_BRANCH / GIT_BRANCH. --status takes SUCCESS, UNSTABLE, FAILURE or ABORTED
  (currentBuild.currentResult) as well as success, failure or cancelled. --value may use
  {status}, {run_url}, {run_number}, {sha}, {ref}, {workflow}, {repository}, filled from
  BUILD_URL, BUILD_NUMBER, GIT_COMMIT, GIT_BRANCH, JOB_NAME and GIT_URL.

  Credentials, from the environment (exactly one way):
    OAuth 1.0a:             JIRA_CONSUMER_KEY, JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE,
                            JIRA_ACCESS_TOKEN [, JIRA_PRIVATE_KEY_PASSPHRASE]
    personal access token:  JIRA_PERSONAL_ACCESS_TOKEN
    basic with API token:   JIRA_USER (or --user), JIRA_API_TOKEN
  JIRA_URL may stand for --jira-url.`,
    options: {
      issue: { type: 'string' },
      'issue-source': { type: 'string' },
      projects: { type: 'string' },
      jql: { type: 'string' },
      field: { type: 'string' },
      value: { type: 'string' },
      status: { type: 'string' },
      'value-map': { type: 'string' },
      fields: { type: 'string' },
      'notify-users': { type: 'string' },
      concurrency: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'fail-on-error': { type: 'string' },
      'consumer-key': { type: 'string' },
      user: { type: 'string' }
    }
  },
  keygen: {
    summary: 'write an RSA key pair and certificate for the application link',
    usage: 'keygen [--out DIR] [--bits 2048] [--force] [--json]',
    options: { out: { type: 'string', default: '.' }, bits: { type: 'string', default: '2048' }, force: { type: 'boolean' } }
  },
  'request-token': {
    summary: 'OAuth dance step 1: get a request token and the URL to approve it',
    usage: 'request-token --jira-url URL [--json]\n\n  Needs JIRA_CONSUMER_KEY and JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE.',
    options: { 'consumer-key': { type: 'string' } }
  },
  'access-token': {
    summary: 'OAuth dance step 3: exchange the approved request token for an access token',
    usage: 'access-token --jira-url URL --request-token TOKEN --verifier CODE [--json]\n\n  Needs JIRA_CONSUMER_KEY and JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE.',
    options: { 'consumer-key': { type: 'string' }, 'request-token': { type: 'string' }, verifier: { type: 'string' } }
  },
  authorize: {
    summary: 'the whole OAuth dance at the terminal, then the commands that store the secrets',
    usage: 'authorize --jira-url URL [--repo OWNER/NAME] [--json]\n\n  Needs JIRA_CONSUMER_KEY and JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE.',
    options: { 'consumer-key': { type: 'string' }, repo: { type: 'string' } }
  },
  check: {
    summary: 'show which user the credentials act as, or why Jira refuses them',
    usage: 'check --jira-url URL [--json]\n\n  Credentials from the environment, as for update.',
    options: { 'consumer-key': { type: 'string' }, user: { type: 'string' } }
  }
}

const ENV_NAMES: Partial<Record<InputName, string>> = {
  'jira-url': 'JIRA_URL',
  'consumer-key': 'JIRA_CONSUMER_KEY',
  'private-key': 'JIRA_PRIVATE_KEY',
  'private-key-passphrase': 'JIRA_PRIVATE_KEY_PASSPHRASE',
  'access-token': 'JIRA_ACCESS_TOKEN',
  'personal-access-token': 'JIRA_PERSONAL_ACCESS_TOKEN',
  user: 'JIRA_USER',
  'api-token': 'JIRA_API_TOKEN'
}

// Every input that is not a secret is also a flag, but for --dry-run (a switch) and
// --ca-certificate (a file path or PEM), which are read apart.
const FLAG_INPUTS: InputName[] = INPUT_NAMES.filter(input => !SECRET_INPUTS.has(input) && input !== 'dry-run' && input !== 'ca-certificate')

const cliInputName: InputNamer = input => {
  if (input === 'private-key') return 'JIRA_PRIVATE_KEY (or JIRA_PRIVATE_KEY_FILE)'
  if (input === 'ca-certificate') return '--ca-certificate (or JIRA_CA_CERTIFICATE)'
  const env = ENV_NAMES[input]
  if (FLAG_INPUTS.includes(input)) return env ? `--${input} (or ${env})` : `--${input}`
  return env ?? `--${input}`
}

/** The CLI's words for remedies: flags and variables, and the check command. */
const CLI_WORDS: Words = {
  input: name => cliInputName(name as InputName),
  checkCredentials: 'Check the credentials with: jira-build-result check --jira-url URL.'
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`)
  return `Usage: jira-build-result COMMAND [options]\n\nEvery command that talks to Jira also takes --max-retries N (3), --timeout SECONDS (60)\nand --ca-certificate FILE (or JIRA_CA_CERTIFICATE) for Jira behind an internal CA.\n\nCommands:\n${lines.join('\n')}\n\nRun jira-build-result COMMAND --help for a command's options.\nExit codes: 0 done, 1 Jira refused or failed, 2 bad usage or input.`
}

/** Reads flags and environment into the inputs the core validates. */
function rawInputs(values: Record<string, unknown>, env: NodeJS.ProcessEnv): RawInputs {
  const raw: RawInputs = {}
  for (const [input, name] of Object.entries(ENV_NAMES) as Array<[InputName, string]>) {
    if (env[name] !== undefined) raw[input] = env[name]
  }
  for (const input of FLAG_INPUTS) if (typeof values[input] === 'string') raw[input] = values[input] as string
  if (values['dry-run'] === true) raw['dry-run'] = 'true'
  // --ca-certificate takes a PEM file's path, or the PEM itself.
  const ca = typeof values['ca-certificate'] === 'string' ? values['ca-certificate'] : env.JIRA_CA_CERTIFICATE
  if (ca) raw['ca-certificate'] = ca.includes('-----BEGIN') ? ca : readInputFile(ca, '--ca-certificate', 'Point it at the PEM file of the CA that signed Jira\'s certificate.')
  const keyFile = env.JIRA_PRIVATE_KEY_FILE
  if (keyFile) {
    if (env.JIRA_PRIVATE_KEY) throw new InputError([{ input: 'private-key', message: 'JIRA_PRIVATE_KEY and JIRA_PRIVATE_KEY_FILE are both set; set one.' }])
    raw['private-key'] = readInputFile(keyFile, 'JIRA_PRIVATE_KEY_FILE', 'Point it at the private key file; in Jenkins, bind a file credential with withCredentials([file(...)]).')
  }
  return raw
}

/**
 * A file's text. A binary file (a PKCS#12 bundle, a DER key) comes back as base64, which the
 * key loader recognises and names, instead of as mangled text.
 */
function readInputFile(path: string, input: string, remedy: string): string {
  try {
    const bytes = readFileSync(path)
    const text = bytes.toString('utf8')
    return text.includes('\ufffd') || text.includes('\u0000') ? bytes.toString('base64') : text
  } catch (thrown) {
    const code = typeof thrown === 'object' && thrown && 'code' in thrown ? ` (${String(thrown.code)})` : ''
    throw new InputError([{ input, message: `${input}: cannot read ${path}${code}. ${remedy}` }])
  }
}

/** What a Jenkins build offers: the change's title and branch, and values for templates. */
function jenkinsContext(env: NodeJS.ProcessEnv): RunContext {
  const sourceTexts: SourceText[] = []
  if (env.CHANGE_TITLE) sourceTexts.push({ source: 'pr-title', text: env.CHANGE_TITLE })
  for (const name of ['CHANGE_BRANCH', 'BRANCH_NAME', 'GIT_BRANCH']) {
    const branch = env[name]
    if (branch) sourceTexts.push({ source: 'branch', text: branch })
  }
  const repository = env.GIT_URL?.replace(/\.git$/, '').replace(/^.*[/:]([^/:]+\/[^/]+)$/, '$1')
  return {
    sourceTexts,
    templateValues: {
      run_url: env.BUILD_URL,
      run_number: env.BUILD_NUMBER,
      sha: env.GIT_COMMIT,
      ref: env.GIT_BRANCH ?? env.BRANCH_NAME,
      workflow: env.JOB_NAME,
      repository
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0]
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = COMMANDS[name]
  if (!command) {
    console.error(`error: unknown command '${name}'.\n\n${usage()}`)
    return EXIT.usage
  }
  let values: Record<string, unknown>
  try {
    ;({ values } = parseArgs({ args: argv.slice(1), options: { ...COMMON, ...command.options }, strict: true, allowPositionals: false }))
  } catch (thrown) {
    console.error(`error: ${messageOf(thrown)}\n\nUsage: jira-build-result ${command.usage}`)
    return EXIT.usage
  }
  if (values.help) {
    console.log(`Usage: jira-build-result ${command.usage}`)
    return EXIT.ok
  }

  const json = values.json === true
  const io: CommandIo = {
    json,
    out: text => console.log(text),
    err: text => console.error(text),
    ask: async question => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false })
      try {
        process.stderr.write(question)
        const line = await new Promise<string>(resolve => {
          rl.once('line', resolve)
          rl.once('close', () => resolve(''))
        })
        return line
      } finally {
        rl.close()
      }
    }
  }

  let transport: Transport | undefined
  const connectionFor = (options: NetworkOptions & { auth?: AuthConfig }, signal?: AbortSignal): Connection => {
    transport = transportFor(options)
    return { transport, words: CLI_WORDS, redactor: new Redactor(options.auth ? authSecrets(options.auth) : []), signal }
  }
  try {
    if (name === 'keygen') {
      const bits = Number(values.bits)
      if (!Number.isInteger(bits) || bits < 2048 || bits > 8192) {
        console.error(`error: --bits ${String(values.bits)}: use a whole number from 2048 to 8192 (Jira accepts RSA keys of 2048 bits and more).`)
        return EXIT.usage
      }
      return await keygenCommand(String(values.out), bits, values.force === true, io)
    }
    const raw = rawInputs(values, process.env)
    switch (name) {
      case 'update': {
        const options = parseUpdateOptions(raw, cliInputName, jenkinsContext(process.env))
        const cancel = new AbortController()
        const stop = (): void => cancel.abort(new Error('cancelled'))
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
        try {
          return await updateCommand(options, connectionFor(options, cancel.signal), io, values.debug === true)
        } finally {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
        }
      }
      case 'check': {
        const options = parseConnectionOptions(raw, cliInputName)
        return await checkCommand(options, connectionFor(options), io)
      }
      case 'request-token': {
        const consumer = parseConsumerOptions(raw, cliInputName)
        return await requestTokenCommand(consumer, connectionFor(consumer), io)
      }
      case 'access-token': {
        const consumer = parseConsumerOptions(raw, cliInputName)
        const connection = connectionFor(consumer)
        const requestToken = String(values['request-token'] ?? '').trim()
        const verifier = String(values.verifier ?? '').trim()
        if (!requestToken || !verifier) {
          console.error('error: --request-token and --verifier are both needed: the token from request-token and the code Jira showed after approval.')
          return EXIT.usage
        }
        return await accessTokenCommand(consumer, requestToken, verifier, connection, io)
      }
      case 'authorize': {
        const consumer = parseConsumerOptions(raw, cliInputName)
        return await authorizeCommand(consumer, connectionFor(consumer), io, {
          repo: typeof values.repo === 'string' ? values.repo : undefined,
          privateKeyFile: process.env.JIRA_PRIVATE_KEY_FILE
        })
      }
    }
    return EXIT.usage
  } catch (thrown) {
    if (thrown instanceof NoCredentialsError) {
      const log = thrown.failOnError ? 'error' : 'warning'
      console.error(`${log}: ${thrown.message}${thrown.failOnError ? '' : ' --fail-on-error is false, so this is not a failure.'}`)
      emit(io, { result: 'no-credentials', updated: [], unchanged: [], failed: [], issues: [] }, ['result=no-credentials: nothing was sent to Jira'])
      return thrown.failOnError ? EXIT.usage : EXIT.ok
    }
    if (thrown instanceof InputError) {
      for (const problem of thrown.problems) console.error(`error: ${problem.message}`)
      if (json) console.log(JSON.stringify({ result: 'invalid', errors: thrown.problems.map(p => p.message) }))
      return EXIT.usage
    }
    if (thrown instanceof JiraError) {
      console.error(`error: ${thrown.message}`)
      if (values.debug && thrown.details.debug) console.error(`debug: ${thrown.details.debug}`)
      if (json) console.log(JSON.stringify({ result: runResultOf(thrown.kind), error: thrown.message }))
      return EXIT.failed
    }
    console.error(`error: ${messageOf(thrown)}`)
    if (json) console.log(JSON.stringify({ result: 'error', error: messageOf(thrown) }))
    return EXIT.failed
  } finally {
    transport?.close()
  }
}

process.exitCode = await main(process.argv.slice(2))
