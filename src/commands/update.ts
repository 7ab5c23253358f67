import type { Transport } from '../jira/transport.js'
import type { UpdateOptions } from '../options.js'
import type { Log } from '../report/log.js'
import { describeResult, succeeded } from '../report/outcome.js'
import { updateIssues } from '../update.js'
import { emit, EXIT, type CommandIo } from './io.js'

/** `update`: what the action does, with the same outcomes and diagnosis, for Jenkins and people. */
export async function updateCommand(options: UpdateOptions, transport: Transport, io: CommandIo, debug = false): Promise<number> {
  const log: Log = {
    debug: message => debug && io.err(`debug: ${message}`),
    info: message => io.err(message),
    warning: message => io.err(`warning: ${message}`),
    error: message => io.err(`error: ${message}`)
  }
  for (const warning of options.warnings) log.warning(warning)
  const report = await updateIssues(options, { transport, log })
  const failures = report.results.filter(result => !succeeded(result.outcome))
  const complain = options.failOnError ? log.error : log.warning
  if (report.error) complain(report.error.message)
  for (const failure of failures) complain(describeResult(failure))
  const failed = failures.length > 0 || report.error !== undefined
  emit(
    io,
    {
      updated: report.updated,
      unchanged: report.unchanged,
      failed: report.failed,
      result: report.result,
      issues: report.results.map(result => ({ issueKey: result.issueKey, outcome: result.outcome, message: result.error?.message }))
    },
    [
      failed
        ? `result=${report.result}: ${report.error ? 'no issue updated' : `${failures.length} of ${report.results.length} issue(s) not updated`}${options.failOnError ? '' : ' (fail-on-error is false)'}`
        : `result=${report.result}: ${report.updated.length} updated, ${report.unchanged.length} unchanged${report.result === 'dry-run' ? ', nothing written (dry run)' : ''}`
    ]
  )
  return failed && options.failOnError ? EXIT.failed : EXIT.ok
}
