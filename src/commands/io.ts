/** What a command may do to the terminal; the CLI edge supplies it, tests can too. */
export interface CommandIo {
  /** The command's result: human text, or one JSON object with --json. */
  out(text: string): void
  /** Progress, warnings and errors; `max` caps a long one (debug lines). */
  err(text: string, max?: number): void
  /** Asks a question and returns the line typed. */
  ask(question: string): Promise<string>
  json: boolean
}

import { jsonLine } from '../report/sink.js'

export { EXIT } from '../report/outcome.js'

/** Prints a result: the JSON object with --json, else the human lines. */
export function emit(io: CommandIo, json: Record<string, unknown>, human: string[]): void {
  io.out(io.json ? jsonLine(json) : human.join('\n'))
}
