import type { Transport } from '../jira/transport.js'
import type { UpdateOptions } from '../options.js'
import type { Log } from '../report/log.js'
import { describeResult } from '../report/outcome.js'
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
  const failures = report.results.filter(result => result.outcome !== 'updated' && result.outcome !== 'dry-run')
  for (const failure of failures) (options.failOnError ? log.error : log.warning)(describeResult(failure))
  emit(
    io,
    {
      updated: report.updated,
      failed: report.failed,
      result: report.result,
      issues: report.results.map(result => ({ issueKey: result.issueKey, outcome: result.outcome, message: result.error?.message }))
    },
    [
      failures.length === 0
        ? `result=${report.result}: ${report.updated.length || report.results.length} issue(s) ${report.result === 'dry-run' ? 'checked, nothing written' : 'updated'}`
        : `result=${report.result}: ${failures.length} of ${report.results.length} issue(s) not updated${options.failOnError ? '' : ' (fail-on-error is false)'}`
    ]
  )
  return failures.length > 0 && options.failOnError ? EXIT.failed : EXIT.ok
}
