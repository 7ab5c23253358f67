import * as core from '@actions/core'
import { httpClientTransport } from './jira/transport.js'
import { secretFragments } from './oauth/keys.js'
import { InputError, parseUpdateOptions, type InputName, type RawInputs } from './options.js'
import type { Log } from './report/log.js'
import { describeResult, resultTitle, type RunReport } from './report/outcome.js'
import { summaryMarkdown } from './report/summary.js'
import { updateIssues } from './update.js'

const INPUTS: InputName[] = [
  'jira-url',
  'consumer-key',
  'private-key',
  'private-key-passphrase',
  'access-token',
  'personal-access-token',
  'user',
  'api-token',
  'issue',
  'field',
  'value',
  'fields',
  'fail-on-error',
  'dry-run'
]

const SECRET_INPUTS = new Set<InputName>(['private-key', 'private-key-passphrase', 'access-token', 'personal-access-token', 'api-token'])

const actionLog: Log = {
  debug: message => core.debug(message),
  info: message => core.info(message),
  warning: (message, title) => core.warning(message, { title }),
  error: (message, title) => core.error(message, { title })
}

/** Reads the inputs, masks the secrets among them at once, and returns them raw. */
function readInputs(): RawInputs {
  const raw: RawInputs = {}
  for (const name of INPUTS) {
    // Keys and tokens keep their inner whitespace; the parser trims what it must.
    const value = core.getInput(name, { trimWhitespace: !SECRET_INPUTS.has(name) })
    if (SECRET_INPUTS.has(name)) for (const fragment of secretFragments(value)) core.setSecret(fragment)
    raw[name] = value
  }
  return raw
}

/** The action: read inputs, update the issues, write outputs, summary and annotations. */
export async function run(): Promise<void> {
  let raw: RawInputs
  let options
  try {
    raw = readInputs()
    options = parseUpdateOptions(raw)
  } catch (thrown) {
    core.setOutput('result', 'invalid')
    if (thrown instanceof InputError) {
      for (const problem of thrown.problems) core.error(problem.message, { title: `Invalid ${problem.input}` })
      core.setFailed(`Nothing was sent to Jira: ${thrown.problems.length} input problem(s).`)
    } else {
      core.setFailed(thrown instanceof Error ? thrown.message : String(thrown))
    }
    return
  }

  for (const warning of options.warnings) core.warning(warning)
  const transport = httpClientTransport()
  let report: RunReport
  try {
    report = await updateIssues(options, { transport, log: actionLog })
  } finally {
    transport.close()
  }

  core.setOutput('updated', report.updated.join(','))
  core.setOutput('failed', report.failed.join(','))
  core.setOutput('result', report.result)
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(summaryMarkdown(report, options.jiraUrl)).write()
  }

  const failures = report.results.filter(result => result.outcome !== 'updated' && result.outcome !== 'dry-run')
  for (const failure of failures) {
    const annotate = options.failOnError ? core.error : core.warning
    annotate(describeResult(failure), { title: resultTitle(failure) })
  }
  if (failures.length > 0) {
    const message = `${failures.length} of ${report.results.length} issue(s) not updated (${report.result}).`
    if (options.failOnError) core.setFailed(message)
    else core.warning(`${message} fail-on-error is false, so the step stays green.`)
  }
}
