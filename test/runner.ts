/* eslint-disable no-control-regex -- the runner splits lines on control characters */
/**
 * A model of how the GitHub Actions runner reads a step's output for workflow commands, after
 * actions/runner's ProcessInvoker (lines from .NET's StreamReader.ReadLine), OutputManager and
 * ActionCommandManager / ActionCommand.TryParseV2 and TryParse. It is stricter than the runner
 * where the runner depends on culture or platform, so that passing here means passing there:
 *
 * - lines end at \r, \n and \r\n (ReadLine), and also at VT, FF, NEL, LS and PS;
 * - `::name props::data` counts after .NET's TrimStart (whose whitespace includes U+0085, which
 *   JavaScript's \s lacks), with default-ignorable characters skipped too, since .NET's
 *   culture-sensitive StartsWith and IndexOf skip them on ICU;
 * - `##[name props]data` counts anywhere in a line (TryParse uses IndexOf);
 * - command names are matched without case, against the commands the runner registers;
 * - `stop-commands` honours its token: nothing but `::token::` (or `##[token]`) counts until it.
 */

/** The commands the runner registers (ActionCommandManager and its extensions). */
export const RUNNER_COMMANDS = [
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'set-env',
  'set-output',
  'save-state',
  'stop-commands'
]

export interface RunnerCommand {
  name: string
  properties: Record<string, string>
  data: string
  /** The line as written. */
  line: string
  /** `::` (v2) or `##[` (v1). */
  form: 'v2' | 'v1'
  /** Whether the line held anything before the command (whitespace, ignorables, text). */
  prefixed: boolean
  /** Whether the runner would skip it: a command while commands are stopped. */
  stopped: boolean
}

const LINES = /\r\n|[\r\n\u000b\u000c\u0085\u2028\u2029]/
// .NET's Char.IsWhiteSpace, which TrimStart uses.
const DOTNET_SPACE = /^[\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}]/gu

function unescape(text: string, mappings: Array<[string, string]>): string {
  let out = text
  for (const [token, escaped] of mappings) out = out.split(escaped).join(token)
  return out
}

const DATA_ESCAPES: Array<[string, string]> = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25']
]
const PROPERTY_ESCAPES: Array<[string, string]> = [['\r', '%0D'], ['\n', '%0A'], [':', '%3A'], [',', '%2C'], ...DATA_ESCAPES.slice(2)]

function parseV2(line: string, registered: Set<string>): Omit<RunnerCommand, 'stopped'> | undefined {
  const trimmed = line.replace(IGNORABLE, '').replace(DOTNET_SPACE, '')
  if (!trimmed.startsWith('::')) return undefined
  const end = trimmed.indexOf('::', 2)
  if (end < 0) return undefined
  const info = trimmed.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(p => p !== '')) {
      const at = pair.indexOf('=')
      if (at > 0 && at < pair.length - 1) properties[pair.slice(0, at)] = unescape(pair.slice(at + 1), PROPERTY_ESCAPES)
    }
  }
  return { name: name.toLowerCase(), properties, data: unescape(trimmed.slice(end + 2), DATA_ESCAPES), line, form: 'v2', prefixed: !line.startsWith('::') }
}

function parseV1(line: string, registered: Set<string>): Omit<RunnerCommand, 'stopped'> | undefined {
  const text = line.replace(IGNORABLE, '')
  const start = text.indexOf('##[')
  if (start < 0) return undefined
  const close = text.indexOf(']', start)
  if (close < 0) return undefined
  const info = text.slice(start + 3, close)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  return { name: name.toLowerCase(), properties: {}, data: text.slice(close + 1), line, form: 'v1', prefixed: start > 0 }
}

/** Every command the runner would read in a step's output, those it would skip while stopped included. */
export function runnerCommands(output: string): RunnerCommand[] {
  const registered = new Set(RUNNER_COMMANDS)
  const commands: RunnerCommand[] = []
  let stopToken: string | undefined
  for (const line of output.split(LINES)) {
    if (line === '') continue
    const command = parseV2(line, registered) ?? parseV1(line, registered)
    if (!command) continue
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase())
        stopToken = undefined
      }
      commands.push({ ...command, stopped: true })
      continue
    }
    commands.push({ ...command, stopped: false })
    if (command.name === 'stop-commands') {
      stopToken = command.data
      registered.add(stopToken.toLowerCase())
    }
  }
  if (stopToken !== undefined)
    commands.push({ name: '(still stopped at the end)', properties: {}, data: '', line: '', form: 'v2', prefixed: false, stopped: false })
  return commands
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The commands in an output that the tool did not mean to issue: any command but those named
 * (`intended`), a command written after other text on its line or in the legacy ##[ form (the
 * tool writes neither), a property other than title, a stop-commands whose token is not a
 * fresh UUID or that is never resumed, and an add-mask whose value `isSecret` does not accept.
 */
export function unintendedCommands(output: string, intended: ReadonlySet<string>, isSecret: (value: string) => boolean = () => true): string[] {
  const problems: string[] = []
  for (const command of runnerCommands(output)) {
    if (command.stopped) continue
    const what = `${command.form === 'v1' ? '##[' : '::'}${command.name}`
    if (command.name === 'stop-commands') {
      if (!UUID.test(command.data)) problems.push(`stop-commands with a guessable token: ${JSON.stringify(command.line.slice(0, 120))}`)
      continue
    }
    if (!intended.has(command.name)) problems.push(`${what}: ${JSON.stringify(command.line.slice(0, 120))}`)
    else if (command.form === 'v1' || command.prefixed) problems.push(`${what} not at the start of its line: ${JSON.stringify(command.line.slice(0, 120))}`)
    else if (Object.keys(command.properties).some(name => name !== 'title'))
      problems.push(`${what} with properties ${Object.keys(command.properties).join(', ')}`)
    else if (command.name === 'add-mask' && !isSecret(command.data))
      problems.push(`add-mask of something not secret: ${JSON.stringify(command.data.slice(0, 40))}`)
  }
  return problems
}
