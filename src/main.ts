import * as core from '@actions/core'
import { cancelOnSignals, type Cancel } from './cancel.js'
import type { SourceText } from './issues/discover.js'
import { githubRun } from './issues/link.js'
import type { TemplateValues } from './issues/value.js'
import { messageOf } from './jira/errors.js'
import { Redactor, redactorFor } from './jira/redact.js'
import { environmentWarnings, transportFor } from './jira/transport.js'
import { ACTION_WORDS } from './jira/words.js'
import { secretFragments } from './oauth/keys.js'
import { INPUT_NAMES, SECRET_INPUTS, type RawInputs } from './inputs.js'
import { InputError, NoCredentialsError, parseUpdateOptions, type RunContext, type UpdateOptions } from './options.js'
import { describeResult, noCredentialsRun, resultTitle, runErrorTitle, succeeded, verdictOf, type IssueResult, type RunReport } from './report/outcome.js'
import { actionSink, type ActionSink } from './report/sink.js'
import { summaryMarkdown } from './report/summary.js'
import { updateIssues } from './update.js'

/** Issues named one annotation each at most; the rest are grouped, under GitHub's 10 per step. */
const ANNOTATED_ISSUES = 4

/**
 * Reads the inputs, masks the secrets among them at once (and has the sink cut them out of
 * everything it prints from now on), and returns them raw.
 */
function readInputs(sink: ActionSink): RawInputs {
  const raw: RawInputs = {}
  const secrets: string[] = []
  for (const name of INPUT_NAMES) {
    // Keys and tokens keep their inner whitespace; the parser trims what it must.
    const value = core.getInput(name, { trimWhitespace: !SECRET_INPUTS.has(name) })
    if (SECRET_INPUTS.has(name)) {
      for (const fragment of secretFragments(value)) sink.mask(fragment)
      secrets.push(value)
    }
    raw[name] = value
  }
  sink.protect(new Redactor(secrets))
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
async function eventTexts(): Promise<{ texts: SourceText[]; eventName?: string }> {
  const { context } = await import('@actions/github')
  // The payload is the event's JSON as GitHub sent it: each field is checked before use.
  const payload = context.payload as { pull_request?: { title?: unknown; head?: { ref?: unknown } }; commits?: unknown; head_commit?: unknown }
  const texts: SourceText[] = []
  const title = payload.pull_request?.title
  if (typeof title === 'string') texts.push({ source: 'pr-title', text: title })
  // github.head_ref, not github.ref: on pull_request events ref is refs/pull/N/merge.
  const headRef = typeof payload.pull_request?.head?.ref === 'string' ? payload.pull_request.head.ref : process.env.GITHUB_HEAD_REF
  const ref = typeof context.ref === 'string' ? context.ref : undefined
  const branch = headRef || (ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined)
  if (branch) texts.push({ source: 'branch', text: branch })
  const commits = Array.isArray(payload.commits) ? (payload.commits as Array<{ message?: string }>) : []
  for (const commit of commits) if (commit.message) texts.push({ source: 'commits', text: commit.message })
  const headCommit = payload.head_commit as { message?: string } | undefined
  if (headCommit?.message) texts.push({ source: 'commits', text: headCommit.message })
  return { texts, eventName: typeof context.eventName === 'string' ? context.eventName : undefined }
}

/** Events whose pull request texts anyone who opens a pull request writes, and which run with the base's secrets. */
const OUTSIDER_EVENTS = new Set(['pull_request_target'])

/**
 * The action: read inputs, update the issues, write outputs, summary and annotations. Whatever
 * goes wrong, the step ends with a result output and a message, never a bare stack trace.
 */
export async function run(cancel: Cancel = cancelOnSignals()): Promise<void> {
  // Everything the action prints goes through the sink, and so through the boundary.
  const { debug, info, warning, error, setFailed, setOutput, setSecret, summary } = core
  const sink = actionSink({ debug, info, warning, error, setFailed, setOutput, setSecret, summary }, { summaryFile: process.env.GITHUB_STEP_SUMMARY })
  try {
    await runAction(cancel.signal, sink)
  } catch (thrown) {
    setOutputs(sink, { result: 'error' })
    sink.fail(`Unexpected failure: ${messageOf(thrown)}`)
  } finally {
    // A signal from here on ends the process as Node would: the outcome is written.
    cancel.release()
  }
}

/**
 * Writes outputs to GITHUB_OUTPUT. When that file cannot be written (a path that does not
 * exist, a full disk) @actions/core throws; that becomes an error annotation and a failed step,
 * not a stack trace, and the caller goes on to the summary and the annotations.
 */
function setOutputs(sink: ActionSink, outputs: Record<string, string>): void {
  try {
    for (const [name, value] of Object.entries(outputs)) sink.output(name, value)
  } catch (thrown) {
    sink.log.error(
      `The step's outputs could not be written (${messageOf(thrown)}), so later steps do not see ${Object.keys(outputs).join(', ')}. This log and the job summary have the outcome.`,
      'Outputs not written'
    )
    process.exitCode = 1
  }
}

async function runAction(signal: AbortSignal, sink: ActionSink): Promise<void> {
  let options: UpdateOptions
  try {
    const raw = readInputs(sink)
    const needsEvent = (raw.issue ?? '') === '' && (raw.jql ?? '') === ''
    const event = needsEvent ? await eventTexts() : { texts: [] }
    const context: RunContext = {
      sourceTexts: event.texts,
      templateValues: templateValues(process.env),
      outsiderEvent: event.eventName !== undefined && OUTSIDER_EVENTS.has(event.eventName) ? event.eventName : undefined,
      ci: githubRun(process.env)
    }
    options = parseUpdateOptions(raw, undefined, context)
  } catch (thrown) {
    // No credential at all (a fork's or Dependabot's pull request): nothing is sent, and the run
    // ends like any other, so fail-on-error decides the step.
    if (thrown instanceof NoCredentialsError) return finish(noCredentialsRun(thrown.message), thrown, sink)
    setOutputs(sink, { result: thrown instanceof InputError ? 'invalid' : 'error' })
    if (thrown instanceof InputError) {
      for (const problem of thrown.problems) sink.log.error(problem.message, `Invalid ${problem.input}`)
      sink.fail(`Nothing was sent to Jira: ${thrown.problems.length} input problem(s).`)
    } else {
      sink.fail(messageOf(thrown))
    }
    return
  }

  const redactor = redactorFor(options.auth)
  sink.protect(redactor)
  // The forms an echo can carry that the runner can mask by exact value (percent-encoded in
  // either case, base64, base64 of user:api-token) are masked too.
  for (const form of redactor.maskable) sink.mask(form)
  const { log } = sink
  for (const warning of [...options.warnings, ...environmentWarnings(process.env, ACTION_WORDS.input('ca-certificate'))]) log.warning(warning)
  const transport = transportFor(options, process.env)
  let report: RunReport
  try {
    // Access tokens issued during the run are masked the moment they arrive.
    report = await updateIssues(options, { transport, log, redactor, words: ACTION_WORDS, signal, mask: form => sink.mask(form) })
  } finally {
    transport.close()
  }
  await finish(report, options, sink)
}

/**
 * Everything after the update: outputs first (they matter most to later steps), then the
 * summary and the annotations. A failure here never loses the outcome already reached.
 */
async function finish(report: RunReport, options: Pick<UpdateOptions, 'jiraUrl' | 'failOnError'>, sink: ActionSink): Promise<void> {
  setOutputs(sink, { updated: report.updated.join(','), unchanged: report.unchanged.join(','), failed: report.failed.join(','), result: report.result })
  try {
    await sink.summary(summaryMarkdown(report, options.jiraUrl, text => sink.clean(text)))
  } catch (thrown) {
    sink.log.warning(`The job summary could not be written (${messageOf(thrown)}); the outputs and this log have the outcome.`, 'Job summary not written')
  }
  annotate(report, options.failOnError, sink)
}

function annotate(report: RunReport, failOnError: boolean, sink: ActionSink): void {
  const { log } = sink
  const say = (message: string, title?: string): void => (failOnError ? log.error(message, title) : log.warning(message, title))
  if (report.error) say(report.error.message, runErrorTitle(report.result))
  const failures = report.results.filter(result => !succeeded(result.outcome))
  const notAttempted = failures.filter(result => result.outcome === 'skipped' || result.outcome === 'cancelled')
  const attempted = failures.filter(result => !notAttempted.includes(result))
  for (const failure of attempted.slice(0, ANNOTATED_ISSUES)) say(describeResult(failure), resultTitle(failure))
  const unnamed = attempted.slice(ANNOTATED_ISSUES)
  if (unnamed.length > 0)
    say(`${unnamed.length} more issue(s) failed: ${keysOf(unnamed)}. The job summary says why for each.`, `${unnamed.length} more Jira failures`)
  if (notAttempted.length > 0) {
    const why =
      notAttempted[0].outcome === 'cancelled'
        ? 'the run was cancelled'
        : 'an earlier request failed in a way every request would (more attempts could add to the failed-login count)'
    say(`${notAttempted.length} issue(s) not attempted because ${why}: ${keysOf(notAttempted)}.`, `Not attempted (${notAttempted.length} issues)`)
  }
  const verdict = verdictOf(report)
  if (!verdict.failed) return
  // A cancelled run fails whatever fail-on-error says: it did not do what it was asked.
  if (failOnError || report.result === 'cancelled') sink.fail(verdict.headline)
  else log.warning(`${verdict.headline}. fail-on-error is false, so the step stays green.`)
}

function keysOf(results: IssueResult[]): string {
  return results.map(result => result.issueKey).join(', ')
}
