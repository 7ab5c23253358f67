import * as core from '@actions/core'
import type { SourceText } from './issues/discover.js'
import type { TemplateValues } from './issues/value.js'
import { transportFor } from './jira/transport.js'
import { secretFragments } from './oauth/keys.js'
import { INPUT_NAMES, InputError, parseUpdateOptions, SECRET_INPUTS, type RawInputs, type RunContext } from './options.js'
import type { Log } from './report/log.js'
import { describeResult, resultTitle, succeeded, type RunReport } from './report/outcome.js'
import { summaryMarkdown } from './report/summary.js'
import { updateIssues } from './update.js'


const actionLog: Log = {
  debug: message => core.debug(message),
  info: message => core.info(message),
  warning: (message, title) => core.warning(message, { title }),
  error: (message, title) => core.error(message, { title })
}

/** Reads the inputs, masks the secrets among them at once, and returns them raw. */
function readInputs(): RawInputs {
  const raw: RawInputs = {}
  for (const name of INPUT_NAMES) {
    // Keys and tokens keep their inner whitespace; the parser trims what it must.
    const value = core.getInput(name, { trimWhitespace: !SECRET_INPUTS.has(name) })
    if (SECRET_INPUTS.has(name)) for (const fragment of secretFragments(value)) core.setSecret(fragment)
    raw[name] = value
  }
  return raw
}

/** Values for {run_url} and the other templates, from the runner's environment. */
function templateValues(env: NodeJS.ProcessEnv): TemplateValues {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env
  return {
    run_url: server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    run_number: env.GITHUB_RUN_NUMBER,
    sha: env.GITHUB_SHA,
    ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME,
    workflow: env.GITHUB_WORKFLOW,
    repository
  }
}

/**
 * The pull request title, head branch and commit messages of the event. @actions/github is
 * loaded only here, when keys must be found: it is the largest part of the bundle to load.
 */
async function eventTexts(): Promise<SourceText[]> {
  const { context } = await import('@actions/github')
  const payload = context.payload
  const texts: SourceText[] = []
  const title = payload.pull_request?.title
  if (typeof title === 'string') texts.push({ source: 'pr-title', text: title })
  // github.head_ref, not github.ref: on pull_request events ref is refs/pull/N/merge.
  const headRef = payload.pull_request?.head?.ref ?? process.env.GITHUB_HEAD_REF
  const branch = headRef || (context.ref?.startsWith('refs/heads/') ? context.ref.slice('refs/heads/'.length) : undefined)
  if (branch) texts.push({ source: 'branch', text: branch })
  const commits = Array.isArray(payload.commits) ? (payload.commits as Array<{ message?: string }>) : []
  for (const commit of commits) if (commit.message) texts.push({ source: 'commits', text: commit.message })
  const headCommit = payload.head_commit as { message?: string } | undefined
  if (headCommit?.message) texts.push({ source: 'commits', text: headCommit.message })
  return texts
}

/** The action: read inputs, update the issues, write outputs, summary and annotations. */
export async function run(): Promise<void> {
  let options
  try {
    const raw = readInputs()
    const needsEvent = (raw.issue ?? '') === '' && (raw.jql ?? '') === ''
    const context: RunContext = {
      sourceTexts: needsEvent ? await eventTexts() : [],
      templateValues: templateValues(process.env)
    }
    options = parseUpdateOptions(raw, undefined, context)
  } catch (thrown) {
    core.setOutput('result', thrown instanceof InputError ? 'invalid' : 'error')
    if (thrown instanceof InputError) {
      for (const problem of thrown.problems) core.error(problem.message, { title: `Invalid ${problem.input}` })
      core.setFailed(`Nothing was sent to Jira: ${thrown.problems.length} input problem(s).`)
    } else {
      core.setFailed(thrown instanceof Error ? thrown.message : String(thrown))
    }
    return
  }

  for (const warning of options.warnings) core.warning(warning)
  const transport = transportFor(options)
  let report: RunReport
  try {
    report = await updateIssues(options, { transport, log: actionLog })
  } finally {
    transport.close()
  }

  core.setOutput('updated', report.updated.join(','))
  core.setOutput('unchanged', report.unchanged.join(','))
  core.setOutput('failed', report.failed.join(','))
  core.setOutput('result', report.result)
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(summaryMarkdown(report, options.jiraUrl)).write()
  }

  const annotate = options.failOnError ? core.error : core.warning
  if (report.error) annotate(report.error.message, { title: report.result === 'no-issues' ? 'No Jira issue found' : 'Jira request failed' })
  const failures = report.results.filter(result => !succeeded(result.outcome))
  for (const failure of failures) annotate(describeResult(failure), { title: resultTitle(failure) })
  if (failures.length > 0 || report.error) {
    const message = report.error ? `No issue updated (${report.result}).` : `${failures.length} of ${report.results.length} issue(s) not updated (${report.result}).`
    if (options.failOnError) core.setFailed(message)
    else core.warning(`${message} fail-on-error is false, so the step stays green.`)
  }
}
