#!/usr/bin/env node
/**
 * The command line, for Jenkins pipelines and people. It only reads arguments and the
 * environment, then calls the same core as the action. Secrets come from the environment,
 * never from flags, which would show in the process list and the build log.
 */
// First: the signal handlers are installed as this module loads, before the rest of the CLI.
import { runCancel } from './signals.js'
import { readFileSync } from 'node:fs'
// Bundled at build time: the version the release workflow checks against the tag.
import packageJson from '../package.json' with { type: 'json' }
import type { Connection } from './jira/connect.js'
import { Redactor, redactorFor } from './jira/redact.js'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { accessTokenCommand, authorizeCommand, checkCommand, keygenCommand, requestTokenCommand } from './commands/credentials.js'
import { EXIT, type CommandIo } from './commands/io.js'
import { cliLog, renderReport, updateCommand } from './commands/update.js'
import { noCredentialsRun, runResultOf } from './report/outcome.js'
import { cliSink, DEBUG_BYTES, jsonLine, type CliSink } from './report/sink.js'
import { codeOf, JiraError, messageOf, Stopped } from './jira/errors.js'
import { environmentWarnings, transportFor, type Transport } from './jira/transport.js'
import type { SourceText } from './issues/discover.js'
import { jenkinsRun } from './issues/link.js'
import { INPUTS } from './inputs.js'
import { CLI_WORDS, cliInputName, commandUsage, COMMANDS, flagsOf, usage, type CommandName } from './commands/flags.js'
import {
  InputError,
  NoCredentialsError,
  parseConnectionOptions,
  parseConsumerOptions,
  parseUpdateOptions,
  type AuthConfig,
  type NetworkOptions,
  type RawInputs,
  type RunContext
} from './options.js'

/** Reads flags and environment into the inputs the core validates. */
function rawInputs(values: Record<string, unknown>, env: NodeJS.ProcessEnv, sink: CliSink): RawInputs {
  const raw: RawInputs = {}
  for (const spec of INPUTS) {
    const flag = values[spec.name]
    if (typeof flag === 'string') raw[spec.name] = flag
    // A repeatable flag (--set) is a multi-line input: one value a line.
    else if (Array.isArray(flag)) raw[spec.name] = flag.join('\n')
    else if (flag === true) raw[spec.name] = 'true'
    else if (spec.cli.env && env[spec.cli.env] !== undefined) raw[spec.name] = env[spec.cli.env]
  }
  // --ca-certificate takes a PEM file's path, or the PEM itself.
  const ca = raw['ca-certificate']
  if (ca)
    raw['ca-certificate'] = ca.includes('-----BEGIN')
      ? ca
      : readInputFile(ca, '--ca-certificate', "Point it at the PEM file of the CA that signed Jira's certificate.")
  for (const spec of INPUTS) {
    const file = spec.cli.fileEnv && env[spec.cli.fileEnv]
    if (!file || !spec.cli.fileEnv) continue
    if (spec.cli.env && env[spec.cli.env])
      throw new InputError([{ input: spec.name, message: `${spec.cli.env} and ${spec.cli.fileEnv} are both set; set one.` }])
    const secret = readInputFile(
      file,
      spec.cli.fileEnv,
      'Point it at the file that holds it; in Jenkins, bind a Secret file credential with withCredentials([file(...)]).'
    )
    raw[spec.name] = secret
    sink.protect(new Redactor([secret]))
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
    const code = codeOf(thrown) ? ` (${codeOf(thrown)})` : ''
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
    ci: jenkinsRun(env),
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

/**
 * The oldest Node.js the CLI runs on, as package.json's engines say: Node 20 reached its end of
 * life in April 2026, and the bundled toolkit's dependencies (content-type) require 22.
 */
const OLDEST_NODE = 22

/** The secrets in the environment, cut out of everything the CLI prints from the start. */
function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  return INPUTS.flatMap(spec => (spec.secret && spec.cli.env && env[spec.cli.env] ? [env[spec.cli.env] as string] : []))
}

async function main(argv: string[], signal: AbortSignal): Promise<number> {
  // Everything the CLI prints goes through the sink, and so through the boundary.
  const sink = cliSink(new Redactor(environmentSecrets(process.env)))
  if (Number(process.versions.node.split('.')[0]) < OLDEST_NODE) {
    sink.err(
      `error: jira-build-result needs Node.js ${OLDEST_NODE} or later; this agent runs ${process.version}. Install a newer Node.js on the agent (or use the NodeJS plugin's tool installer).`
    )
    return EXIT.usage
  }
  const name = argv[0]
  if (name === '--version' || name === '-V' || name === 'version') {
    sink.out(packageJson.version)
    return EXIT.ok
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    sink.out(usage())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined
  if (!command) {
    sink.err(`error: unknown command '${name}'.\n\n${usage()}`)
    return EXIT.usage
  }
  let values: Record<string, unknown>
  try {
    ;({ values } = parseArgs({ args: argv.slice(1), options: flagsOf(name as CommandName), strict: true, allowPositionals: false }))
  } catch (thrown) {
    sink.err(`error: ${messageOf(thrown)}\n\n${commandUsage(name as CommandName)}`)
    return EXIT.usage
  }
  if (values.help) {
    sink.out(commandUsage(name as CommandName))
    return EXIT.ok
  }

  const json = values.json === true
  const io: CommandIo = {
    json,
    out: text => sink.out(text),
    err: (text, max) => sink.err(text, max),
    ask: async question => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false })
      try {
        sink.prompt(question)
        // The signal handlers keep Ctrl-C from ending the process, so it ends the question.
        const line = await new Promise<string>((resolve, reject) => {
          const stop = (): void => reject(new Stopped(signal.reason))
          if (signal.aborted) return stop()
          signal.addEventListener('abort', stop, { once: true })
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
  const connectionFor = (options: NetworkOptions & { auth?: AuthConfig }): Connection => {
    for (const warning of environmentWarnings(process.env, cliInputName('ca-certificate'))) sink.err(`warning: ${warning}`)
    transport = transportFor(options, process.env)
    const redactor = redactorFor(options.auth)
    sink.protect(redactor)
    const debug = values.debug === true ? (message: string) => sink.err(`debug: ${message}`, DEBUG_BYTES) : undefined
    return { transport, words: CLI_WORDS, redactor, signal, debug }
  }
  try {
    if (name === 'keygen') {
      const bits = Number(values.bits)
      if (!Number.isInteger(bits) || bits < 2048 || bits > 8192) {
        sink.err(`error: --bits ${String(values.bits)}: use a whole number from 2048 to 8192 (Jira accepts RSA keys of 2048 bits and more).`)
        return EXIT.usage
      }
      return await keygenCommand(String(values.out), bits, values.force === true, io, signal)
    }
    const raw = rawInputs(values, process.env, sink)
    switch (name) {
      case 'update': {
        const options = parseUpdateOptions(raw, cliInputName, jenkinsContext(process.env))
        return await updateCommand(options, connectionFor(options), io, values.debug === true)
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
        const requestToken = typeof values['request-token'] === 'string' ? values['request-token'].trim() : ''
        const verifier = typeof values.verifier === 'string' ? values.verifier.trim() : ''
        if (!requestToken || !verifier) {
          sink.err('error: --request-token and --verifier are both needed: the token from request-token and the code Jira showed after approval.')
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
    // No credential at all (Jenkins binds none for outside contributors): nothing was sent, and
    // the run ends like any other, so --fail-on-error decides the exit code.
    if (thrown instanceof NoCredentialsError) return renderReport(noCredentialsRun(thrown.message), thrown.failOnError, io, cliLog(io))
    if (thrown instanceof Stopped) {
      sink.err('error: cancelled.')
      if (json) sink.out(jsonLine({ result: 'cancelled' }))
      return EXIT.cancelled
    }
    if (thrown instanceof InputError) {
      for (const problem of thrown.problems) sink.err(`error: ${problem.message}`)
      if (json) sink.out(jsonLine({ result: 'invalid', errors: thrown.problems.map(p => p.message) }))
      return EXIT.usage
    }
    if (thrown instanceof JiraError) {
      sink.err(`error: ${thrown.message}`)
      if (values.debug && thrown.details.debug) sink.err(`debug: ${thrown.details.debug}`, DEBUG_BYTES)
      if (json) sink.out(jsonLine({ result: runResultOf(thrown.kind), error: thrown.message }))
      return EXIT.failed
    }
    sink.err(`error: ${messageOf(thrown)}`)
    if (json) sink.out(jsonLine({ result: 'error', error: messageOf(thrown) }))
    return EXIT.failed
  } finally {
    transport?.close()
  }
}

try {
  process.exitCode = await main(process.argv.slice(2), runCancel.signal)
} finally {
  runCancel.release()
}
