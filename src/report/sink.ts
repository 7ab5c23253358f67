/* eslint-disable no-control-regex -- control characters and line breaks are what this escapes */
/**
 * Everything the tool prints goes through here, and nothing else prints: the action's log
 * lines, annotations, outputs, job summary and masks, and the CLI's stdout and stderr
 * (test/layout.test.ts fails on any other use of console, process.stdout, process.stderr or
 * @actions/core's output functions). So whatever a message holds, and however it was put
 * together, it passes the boundary before it is seen: secrets found on its decoded view are cut
 * out, it is capped, and only then escaped for where it goes, so that the runner can read no
 * workflow command in it.
 */
import type * as Core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { cap, Redactor } from '../jira/redact.js'
import type { Log } from './log.js'

/** A debug line holds at most this many bytes as written. */
export const DEBUG_BYTES = 4096
/** An annotation (warning, error) holds at most this many bytes as written, title included. */
export const ANNOTATION_BYTES = 4096
/** A log message holds at most this many characters. */
export const INFO_CHARS = 16 * 1024
/** A job summary holds at most this many bytes (GitHub's limit is 1 MiB). */
export const SUMMARY_BYTES = 64 * 1024

// Every character the runner reads as a line break (.NET's ReadLine: \r, \n, \r\n) and every
// other that a reader may: VT, FF, NEL, LS, PS.
const LINE_BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/g
// Whitespace as .NET's Trim sees it (JavaScript's \s misses U+0085).
const LEADING_SPACE = /^[\s\u0085\u180e]*/
// Characters .NET's culture-sensitive StartsWith and IndexOf skip on ICU (a soft hyphen inside
// "##[" still finds it).
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu
const ANSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?/g
// Controls other than tab and line feed, and bidirectional overrides, which make a line read
// other than it is.
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Text with ANSI sequences and control characters gone and every line break written \n. */
export function plainText(text: string): string {
  return text.replace(ANSI, '').replace(LINE_BREAKS, '\n').replace(CONTROLS, '\ufffd')
}

/** Whether the runner could read a command in a line: `::` after .NET whitespace, or `##[` anywhere, ignorables aside. */
function looksLikeCommand(line: string): boolean {
  const visible = line.replace(IGNORABLE, '')
  return visible.replace(LEADING_SPACE, '').startsWith('::') || visible.includes('##[')
}

/**
 * Lines for the log, never workflow commands: plain text in which a line would read as a
 * command (`::` after any whitespace the runner trims, `##[` anywhere) is fenced with
 * stop-commands and a token no one can guess.
 */
export function inertText(text: string): string {
  const plain = plainText(text)
  if (!plain.split('\n').some(looksLikeCommand)) return plain
  const token = randomUUID()
  return `::stop-commands::${token}\n${plain}\n::${token}::`
}

/** The size of a text as a workflow command writes it: UTF-8, with %, CR and LF escaped (and more in properties). */
function escapedBytes(text: string, escaped: RegExp): number {
  return Buffer.byteLength(text) + 2 * (text.match(escaped) ?? []).length
}

/** A text cut so that, as written, it holds at most `max` bytes. */
function capBytes(text: string, max: number, escaped: RegExp): string {
  if (escapedBytes(text, escaped) <= max) return text
  let used = 0
  let out = ''
  for (const char of text) {
    const cost = escapedBytes(char, escaped)
    if (used + cost > max - 3) break
    used += cost
    out += char
  }
  return `${out}…`
}

const DATA_ESCAPED = /[%\r\n]/g
const PROPERTY_ESCAPED = /[%\r\n:,]/g

/** The runner's own channels, as @actions/core writes them; a test may supply its own. */
export interface Console {
  stdout(text: string): void
  stderr(text: string): void
}

const PROCESS_CONSOLE: Console = {
  stdout: text => process.stdout.write(`${text}\n`),
  stderr: text => process.stderr.write(`${text}\n`)
}

/** What the action prints, each through the boundary. */
export interface ActionSink {
  log: Log
  /** A text with every secret cut out, for a sink's own escaping after (the summary's cells). */
  clean(text: string): string
  /** From now on, also cut out these secrets (the auth's derived forms). */
  protect(redactor: Redactor): void
  /** Tells the runner to mask a secret and its derived forms, by exact value. */
  mask(value: string): void
  output(name: string, value: string): void
  /** Writes the job summary, when the runner gave a file for it. */
  summary(markdown: string): Promise<void>
  /** An error annotation, and the step fails. */
  fail(message: string): void
}

/** The parts of @actions/core the action's sink writes through. */
export type RunnerCore = Pick<typeof Core, 'debug' | 'info' | 'warning' | 'error' | 'setFailed' | 'setOutput' | 'setSecret' | 'summary'>

/** Where the action's sink writes besides @actions/core: the runner's summary file, if any. */
export interface ActionSinkOptions {
  /** GITHUB_STEP_SUMMARY as the edge read it; without it no summary is written. */
  summaryFile?: string
  redactor?: Redactor
}

/**
 * The action's sink over @actions/core, passed in by the action's edge (so the CLI's bundle
 * never loads it), function by function (so the bundle keeps only what is used).
 */
export function actionSink(core: RunnerCore, { summaryFile, redactor = new Redactor() }: ActionSinkOptions = {}): ActionSink {
  const redactors = [redactor]
  const scrub = (text: string, marker?: string): string => redactors.reduce((clean, r) => r.scrub(clean, marker), text)
  const data = (text: string, max: number): string => capBytes(plainText(scrub(text)), max, DATA_ESCAPED)
  const title = (text: string): string => capBytes(plainText(scrub(text)).replace(/\n/g, ' '), 200, PROPERTY_ESCAPED)
  const annotation = (message: string, heading?: string): [string, Core.AnnotationProperties] => {
    const properties = heading ? { title: title(heading) } : {}
    const room = ANNOTATION_BYTES - 64 - (properties.title ? escapedBytes(properties.title, PROPERTY_ESCAPED) : 0)
    return [data(message, room), properties]
  }
  return {
    log: {
      debug: message => core.debug(data(message, DEBUG_BYTES - 16)),
      info: message => core.info(inertText(cap(scrub(message), INFO_CHARS))),
      warning: (message, heading) => core.warning(...annotation(message, heading)),
      error: (message, heading) => core.error(...annotation(message, heading))
    },
    clean: text => scrub(text),
    protect: more => redactors.push(more),
    mask: value => core.setSecret(value),
    output: (name, value) => core.setOutput(name, plainText(scrub(value)).replace(/\n/g, ' ')),
    summary: async markdown => {
      if (!summaryFile) return
      await core.summary.addRaw(capSummary(scrub(markdown, '\\*\\*\\*'))).write()
    },
    fail: message => core.setFailed(annotation(message)[0])
  }
}

/** A job summary cut, at a line, to fit SUMMARY_BYTES. */
function capSummary(markdown: string): string {
  if (Buffer.byteLength(markdown) <= SUMMARY_BYTES) return markdown
  const note = '\n\n*The summary was cut here: it would have been larger than 64 KiB. The outputs and the log have every issue.*\n'
  let out = ''
  for (const line of markdown.split('\n')) {
    if (Buffer.byteLength(out) + Buffer.byteLength(line) + 1 + Buffer.byteLength(note) > SUMMARY_BYTES) break
    out += `${line}\n`
  }
  return `${out}${note}`
}

/** What the CLI prints, each through the boundary. */
export interface CliSink {
  /** The command's result on stdout: human lines, or one JSON line (see jsonLine). */
  out(text: string): void
  /** Progress, warnings and errors on stderr; `max` caps the message (debug lines: DEBUG_BYTES). */
  err(text: string, max?: number): void
  /** A question on stderr, without a line break after it. */
  prompt(text: string): void
  /** From now on, also cut out these secrets. */
  protect(redactor: Redactor): void
}

/** The CLI's sink over stdout and stderr. */
export function cliSink(redactor: Redactor = new Redactor(), console: Console = PROCESS_CONSOLE): CliSink {
  const redactors = [redactor]
  const scrub = (text: string): string => redactors.reduce((clean, r) => r.scrub(clean), text)
  return {
    out: text => console.stdout(inertText(scrub(text))),
    err: (text, max = INFO_CHARS) => console.stderr(inertText(capBytes(scrub(text), max, DATA_ESCAPED))),
    prompt: text => process.stderr.write(plainText(scrub(text)).replace(/\n/g, ' ')),
    protect: more => redactors.push(more)
  }
}

/**
 * One JSON line that no reader can take for more: line separators and C1 controls (which
 * JSON.stringify leaves as they are) written as \u escapes, and `##[` broken up the same way.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\u009f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/##\[/g, '#\\u0023[')
}
