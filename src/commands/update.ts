import type { Connection } from '../jira/connect.js'
import type { UpdateOptions } from '../options.js'
import type { Log } from '../report/log.js'
import { describeResult, exitCodeOf, succeeded, verdictOf, type RunReport } from '../report/outcome.js'
import { updateIssues } from '../update.js'
import { DEBUG_BYTES } from '../report/sink.js'
import { emit, type CommandIo } from './io.js'

/** `update`: what the action does, with the same outcomes and diagnosis, for Jenkins and people. */
export async function updateCommand(options: UpdateOptions, connection: Connection, io: CommandIo, debug = false): Promise<number> {
  const log = cliLog(io, debug)
  for (const warning of options.warnings) log.warning(warning)
  const report = await updateIssues(options, { ...connection, log })
  return renderReport(report, options.failOnError, io, log)
}

/** The CLI's log: everything on stderr (the CLI's sink cuts secrets out and fences each line). */
export function cliLog(io: CommandIo, debug = false): Log {
  return {
    debug: message => debug && io.err(`debug: ${message}`, DEBUG_BYTES),
    info: message => io.err(message),
    warning: message => io.err(`warning: ${message}`),
    error: message => io.err(`error: ${message}`)
  }
}

/** Prints a run's outcome as the CLI does, and returns its exit code. */
export function renderReport(report: RunReport, failOnError: boolean, io: CommandIo, log: Log): number {
  const failures = report.results.filter(result => !succeeded(result.outcome))
  const complain = (message: string): void => (failOnError ? log.error(message) : log.warning(message))
  if (report.error) complain(report.error.message)
  for (const failure of failures) complain(describeResult(failure))
  const verdict = verdictOf(report)
  emit(
    io,
    {
      updated: report.updated,
      unchanged: report.unchanged,
      failed: report.failed,
      result: report.result,
      // The CLI's sink redacts and caps what goes out, --json included.
      issues: report.results.map(result => ({ issueKey: result.issueKey, outcome: result.outcome, message: result.error?.message, changes: result.changes })),
      ...(report.error ? { error: report.error.message } : {})
    },
    [`${verdict.headline}${verdict.failed && !failOnError ? ' (fail-on-error is false)' : ''}`]
  )
  return exitCodeOf(report, failOnError)
}
