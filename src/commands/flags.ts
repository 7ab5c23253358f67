/**
 * The CLI's commands and their flags, derived from the declaration of inputs: which inputs each
 * command takes as flags, its parseArgs table, its --help, and how remedies name inputs.
 */
import type { ParseArgsConfig } from 'node:util'
import { defaultOf, INPUTS, inputSpec, type InputName, type InputSpec, type JiraCommand } from '../inputs.js'
import type { Words } from '../jira/words.js'
import type { InputNamer } from '../options.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** Flags every command takes, besides the inputs. */
const COMMON: Options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' }
}

/** What --help says of the common flags. */
const COMMON_HELP = [
  ['--json', 'Print one JSON object on stdout; progress goes to stderr.'],
  [
    '--debug',
    "Also print, on stderr, what a person debugging needs: the auth mode, each request's method, URL and status, the field's type. Secrets redacted."
  ],
  ['-h, --help', 'Print this help.']
] as const

interface Command {
  summary: string
  /** The synopsis and what the declaration of inputs cannot say. */
  usage: string
  /** Flags of this command that are not inputs. */
  own?: Options
}

/** Every command; keygen talks to no Jira. */
export type CommandName = 'keygen' | JiraCommand

export const COMMANDS: Record<CommandName, Command> = {
  update: {
    summary: 'set a field on one or more issues (what the action does)',
    usage: `update --jira-url URL [--issue KEYS | --jql QUERY] [--field ID|NAME (--value VALUE | --status S --value-map MAP)]
         [--set 'NAME = VALUE' | --set 'NAME += ITEM' | --set 'NAME -= ITEM']... [--remote-link TITLE]
         [--comment TEXT [--comment-on STATUSES]]

  Without --issue or --jql, keys are found in CHANGE_TITLE (pull request title) and
  BRANCH_NAME / CHANGE_BRANCH / GIT_BRANCH. --status takes SUCCESS, UNSTABLE, FAILURE, ABORTED
  or NOT_BUILT (currentBuild.currentResult) as well as success, failure or cancelled. --value,
  --set, --remote-link and --comment may use {status}, {run_url}, {run_number}, {sha}, {ref},
  {workflow}, {repository}, filled from BUILD_URL, BUILD_NUMBER, GIT_COMMIT, GIT_BRANCH, JOB_NAME
  and GIT_URL. The remote link is one per job (JOB_URL): the next build updates it. A value that
  starts with a dash needs an equals sign: --value=-1.
  Credentials come from the environment, exactly one way: OAuth 1.0a (JIRA_CONSUMER_KEY,
  JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE, JIRA_ACCESS_TOKEN), a personal access token
  (JIRA_PERSONAL_ACCESS_TOKEN), a service account's OAuth 2.0 client credentials
  (JIRA_CLIENT_ID, JIRA_CLIENT_SECRET), or basic auth (JIRA_USER, JIRA_API_TOKEN).`
  },
  keygen: {
    summary: 'write an RSA key pair and certificate for the application link',
    usage: 'keygen [--out DIR] [--bits 2048] [--force] [--json]',
    own: { out: { type: 'string', default: '.' }, bits: { type: 'string', default: '2048' }, force: { type: 'boolean' } }
  },
  'request-token': {
    summary: 'OAuth dance step 1: get a request token and the URL to approve it',
    usage: 'request-token --jira-url URL [--json]\n\n  Needs JIRA_CONSUMER_KEY and JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE.'
  },
  'access-token': {
    summary: 'OAuth dance step 3: exchange the approved request token for an access token',
    usage:
      'access-token --jira-url URL --request-token TOKEN --verifier CODE [--json]\n\n  Needs JIRA_CONSUMER_KEY and JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE.',
    own: { 'request-token': { type: 'string' }, verifier: { type: 'string' } }
  },
  authorize: {
    summary: 'the whole OAuth dance at the terminal, then the commands that store the secrets',
    usage: 'authorize --jira-url URL [--repo OWNER/NAME] [--json]\n\n  Needs JIRA_CONSUMER_KEY and JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE.',
    own: { repo: { type: 'string' } }
  },
  check: {
    summary: 'show which user the credentials act as, or why Jira refuses them',
    usage: 'check --jira-url URL [--json]\n\n  Credentials from the environment, as for update.'
  }
}

/** The inputs a command takes as flags, from the declaration of inputs. */
function inputFlags(command: string): InputSpec[] {
  return INPUTS.filter(spec => spec.cli.flag !== undefined && (spec.cli.commands as readonly string[]).includes(command))
}

/** A command's parseArgs table: the common flags, its inputs' flags and its own. */
export function flagsOf(command: CommandName): Options {
  const options: Options = { ...COMMON, ...COMMANDS[command].own }
  for (const spec of inputFlags(command)) options[spec.name] = { type: spec.cli.flag ?? 'string', ...(spec.cli.multiple ? { multiple: true } : {}) }
  return options
}

/**
 * A command's --help: its synopsis, then each input it takes, from the declaration, in the
 * command line's words (a switch takes no value; defaults as the flag is written).
 */
export function commandUsage(name: CommandName): string {
  const entry = (flag: string, text: string): string => `  ${flag}\n      ${text}`
  const lines = inputFlags(name).map(spec => {
    const flag = spec.cli.flag === 'boolean' ? `--${spec.name}` : `--${spec.name} VALUE${spec.cli.multiple ? ' (repeatable)' : ''}`
    const env = spec.cli.env ? ` (or ${spec.cli.env})` : ''
    const fallback = spec.default && spec.cli.flag !== 'boolean' ? ` Default: ${spec.default}.` : ''
    return entry(`${flag}${env}`, `${spec.cli.description ?? spec.description}${fallback}`)
  })
  lines.push(...COMMON_HELP.map(([flag, text]) => entry(flag, text)))
  const secrets = INPUTS.filter(spec => spec.secret && spec.cli.env && (spec.cli.commands as readonly string[]).includes(name)).map(spec =>
    entry(spec.cli.fileEnv ? `${spec.cli.env} or ${spec.cli.fileEnv}` : (spec.cli.env ?? ''), spec.cli.description ?? spec.description)
  )
  const sections = [`Usage: jira-build-result ${COMMANDS[name].usage}`, `Options:\n${lines.join('\n')}`]
  if (secrets.length > 0) sections.push(`Secrets, from the environment only (never flags, which the process list shows):\n${secrets.join('\n')}`)
  return sections.join('\n\n')
}

export const cliInputName: InputNamer = input => {
  const spec = inputSpec(input)
  if (spec.cli.fileEnv) return `${spec.cli.env} (or ${spec.cli.fileEnv})`
  if (spec.cli.flag === undefined || spec.cli.flag === 'boolean') return spec.cli.env ?? `--${input}`
  return spec.cli.env ? `--${input} (or ${spec.cli.env})` : `--${input}`
}

/** The CLI's words for remedies: flags and variables, and the check command. */
export const CLI_WORDS: Words = {
  input: name => cliInputName(name as InputName),
  checkCredentials: 'Check the credentials with: jira-build-result check --jira-url URL.'
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`)
  return `Usage: jira-build-result COMMAND [options]\n\nEvery command that talks to Jira also takes --max-retries N (${defaultOf('max-retries')}), --timeout SECONDS (${defaultOf('timeout')})\nand --ca-certificate FILE (or JIRA_CA_CERTIFICATE) for Jira behind an internal CA.\n\nCommands:\n${lines.join('\n')}\n\nRun jira-build-result COMMAND --help for a command's options; jira-build-result --version (-V) prints the version.\nExit codes: 0 done, 1 Jira refused or failed, 2 bad usage or input.`
}
