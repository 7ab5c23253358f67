import { describeAuth } from './jira/auth.js'
import { connect, type Connection, type Endpoint } from './jira/connect.js'
import type { JiraClient } from './jira/client.js'
import { asJiraError, HALTING_KINDS, JiraError, Stopped } from './jira/errors.js'
import { FIELD_LIST, formatValue, holdsValue, isFieldId, issueShape, resolveField, type FieldMeta } from './jira/fields.js'
import { deploymentOf, searchIssueKeys, type Deployment } from './jira/search.js'
import { resolveAccountId } from './jira/users.js'
import type { NetworkOptions } from './jira/transport.js'
import { ACTION_WORDS } from './jira/words.js'
import type { Log } from './report/log.js'
import { describeResult, failedRun, runResultOf, summarizeResults, type IssueResult, type RunReport } from './report/outcome.js'

/** Which issues a run updates: keys, a JQL query, or none found (and where the run looked). */
export type IssueSelection =
  | {
      by: 'keys'
      keys: string[]
      /** Where keys found in the build's context came from ("title and branch"); absent for the issue input. */
      found?: string
    }
  | { by: 'jql'; jql: string }
  | { by: 'none'; lookedIn: string }

/** Everything one update run needs, validated and planned: the core's whole input. */
export interface UpdateOptions extends Endpoint, NetworkOptions {
  issues: IssueSelection
  /** A field id, or a name to resolve through /rest/api/2/field. */
  field?: string
  /** The value to set, mapped from the status and templates filled. */
  value?: string
  fields?: Record<string, unknown>
  notifyUsers: boolean
  concurrency: number
  /** The most issues the run writes: a selection of more writes none. */
  maxIssues: number
  failOnError: boolean
  dryRun: boolean
  /** Things worth saying that do not stop the run, such as basic auth over plain http. */
  warnings: string[]
}

/** The I/O an update run uses, passed in so tests and the benchmark can choose. */
export type UpdateDependencies = Connection & {
  log: Log
  now?: () => Date
}

/**
 * Sets the configured fields on every issue and reports each issue's outcome. One issue's
 * failure never stops the others, except a CAPTCHA, refused credentials or a jira-url that is
 * not Jira: every further request would fail the same way and add to Jira's failed-login
 * count, so the stop reaches requests in flight and retries waiting too. A cancel through
 * `deps.signal` stops the same way and reports what finished.
 */
export async function updateIssues(options: UpdateOptions, deps: UpdateDependencies): Promise<RunReport> {
  const halt = new AbortController()
  const signal = deps.signal ? AbortSignal.any([deps.signal, halt.signal]) : halt.signal
  deps.log.debug(`Authenticating to ${options.jiraUrl} with ${describeAuth(options.auth)}.`)
  const client = connect(options, { ...deps, signal, debug: message => deps.log.debug(message) }, message => deps.log.info(message))
  const described = { field: options.field, value: options.value }
  const { issues } = options
  if (issues.by === 'none') {
    const words = deps.words ?? ACTION_WORDS
    const reason = `No issue key found in ${issues.lookedIn}.`
    const remedy = `Name the issue (e.g. CI-42) in the pull request title, the branch or a commit message, or pass ${words.input('issue')} or ${words.input('jql')}.`
    return failedRun(new JiraError('not-found', reason, remedy), 'no-issues', described)
  }

  if (issues.by === 'keys' && issues.keys.length > options.maxIssues) return failedRun(tooManyKeys(issues, options.maxIssues, deps), 'invalid', described)
  let issueKeys = issues.by === 'keys' ? issues.keys : []
  let fieldId = options.field
  let fieldLabel = options.field
  try {
    if (issues.by === 'jql') issueKeys = await searchIssueKeys(client, issues.jql, options.maxIssues)
    if (issueKeys.length === 0) {
      const jql = issues.by === 'jql' ? issues.jql : ''
      return failedRun(new JiraError('not-found', `The JQL query matched no issue: ${jql}`, "Check the query in Jira's issue search."), 'no-issues', described)
    }
    // Field names are global, so one lookup serves every issue.
    if (fieldId !== undefined && !isFieldId(fieldId)) {
      fieldId = resolveField(fieldId, (await client.json('GET', '/rest/api/2/field', {}, FIELD_LIST)) ?? [], client.redactor)
      // The id is Jira's text: it is sent as it is, and shown through the boundary.
      fieldLabel = `${options.field} (${client.redactor.excerpt(fieldId, 100)})`
      deps.log.info(`Field "${options.field}" is ${client.redactor.excerpt(fieldId, 100)}.`)
    }
  } catch (thrown) {
    if (thrown instanceof Stopped) return failedRun(stoppedError(), 'cancelled', described)
    const error = asJiraError(thrown)
    return failedRun(error, runResultOf(error.kind), described)
  }

  const run: IssueRun = { client, options: { ...options, field: fieldId }, deps }
  const updateKey = async (issueKey: string): Promise<IssueResult> => {
    if (signal.aborted) return notAttempted(issueKey, deps)
    let result: IssueResult
    try {
      result = await updateOne(run, issueKey)
    } catch (thrown) {
      if (thrown instanceof Stopped) return notAttempted(issueKey, deps)
      const error = asJiraError(thrown, issueKey)
      if (HALTING_KINDS.has(error.kind)) halt.abort(error)
      result = { issueKey, outcome: error.kind, error }
    }
    if (result.error?.details.debug) {
      deps.log.debug(`${issueKey}: ${result.error.details.debug}`)
    } else if (!result.error) {
      deps.log.info(describeResult(result))
    }
    return result
  }
  // The first issue goes alone: if Jira refuses the credentials, no other request is sent.
  const [first, ...rest] = issueKeys
  const firstResult = await updateKey(first)
  // concat, not push(...): a spread passes every item as an argument, and a long list overflows the stack.
  const results = [firstResult].concat(await mapLimit(rest, options.concurrency, updateKey))
  return { ...summarizeResults(results), field: fieldLabel, value: options.value }
}

/** More keys than max-issues: named by the issue input, or found in the build's context. */
function tooManyKeys(issues: { keys: string[]; found?: string }, maxIssues: number, deps: UpdateDependencies): JiraError {
  const words = deps.words ?? ACTION_WORDS
  const count = (n: number): string => n.toLocaleString('en-US')
  const limit = `more than ${words.input('max-issues')} (${count(maxIssues)}) allows, so no issue was updated`
  if (issues.found === undefined) {
    return new JiraError(
      'invalid',
      `${words.input('issue')} names ${count(issues.keys.length)} issues, ${limit}.`,
      `Name fewer issues, or raise ${words.input('max-issues')} if that many are meant.`
    )
  }
  return new JiraError(
    'invalid',
    `The pull request or commits name ${count(issues.keys.length)} issues (in the ${issues.found}), ${limit}.`,
    `Set ${words.input('projects')} to your project keys so only those count, name the issues in ${words.input('issue')}, or raise ${words.input('max-issues')} if that many are meant.`
  )
}

/** An issue not attempted: skipped after a halting failure, or cancelled from outside. */
function notAttempted(issueKey: string, deps: UpdateDependencies): IssueResult {
  return { issueKey, outcome: deps.signal?.aborted ? 'cancelled' : 'skipped' }
}

function stoppedError(): JiraError {
  return new JiraError('error', 'The run was cancelled before any issue was updated.', '')
}

interface IssueRun {
  client: JiraClient
  options: UpdateOptions
  deps: UpdateDependencies
  /** Asked once per run, and only when a user field needs it. */
  deployment?: Promise<Deployment>
}

async function updateOne(run: IssueRun, issueKey: string): Promise<IssueResult> {
  const { client, options, deps } = run
  const path = `/rest/api/2/issue/${encodeURIComponent(issueKey)}`
  const fields: Record<string, unknown> = { ...options.fields }
  if (options.field !== undefined && options.value !== undefined) {
    // One GET brings the current value and the edit screen's metadata together.
    const issue = await client.json('GET', path, { query: { fields: options.field, expand: 'editmeta' }, issueKey }, issueShape(options.field))
    const screen = issue?.editmeta?.fields
    const meta = screen && Object.hasOwn(screen, options.field) ? screen[options.field] : undefined
    if (!meta || typeof meta !== 'object') {
      throw new JiraError(
        'invalid',
        `Field ${client.redactor.excerpt(options.field, 100)} is not on the edit screen of ${issueKey}.`,
        "Check the field id, and that the field is on the edit screen of the issue's type (Project settings → Screens).",
        { issueKey }
      )
    }
    deps.log.debug(`${issueKey}: ${options.field}${meta.name ? ` (${meta.name})` : ''} is a field of type ${schemaOf(meta)}.`)
    let value = formatValue(options.field, meta, options.value, deps.now, client.redactor)
    if (isUserField(meta)) value = await cloudUsers(run, value, client.redactor.excerpt(`${options.field}${meta.name ? ` (${meta.name})` : ''}`, 100), issueKey)
    fields[options.field] = value
    if (Object.keys(fields).length === 1 && holdsValue(issue?.fields?.[options.field], value)) {
      return { issueKey, outcome: 'unchanged', fields }
    }
  }
  const query = options.notifyUsers ? undefined : { notifyUsers: 'false' }
  const body = { fields }
  if (options.dryRun) {
    deps.log.info([`[dry-run] PUT ${client.url(path, query)}`, 'Content-Type: application/json', 'Authorization: <redacted>', JSON.stringify(body)].join('\n'))
    return { issueKey, outcome: 'dry-run', fields }
  }
  await client.json('PUT', path, { query, json: body, issueKey })
  return { issueKey, outcome: 'updated', fields }
}

/** A field's type as its edit metadata gives it: `option (…:select)`, `array of string`. */
function schemaOf(meta: FieldMeta): string {
  const { type = 'unknown', items, custom, system } = meta.schema ?? {}
  const kind = custom ?? system
  return `${type}${items ? ` of ${items}` : ''}${kind ? ` (${kind})` : ''}`
}

function isUserField(meta: FieldMeta): boolean {
  const kind = meta.schema?.custom?.split(':').pop()
  return kind === 'userpicker' || kind === 'multiuserpicker' || meta.schema?.type === 'user' || (meta.schema?.type === 'array' && meta.schema.items === 'user')
}

/** On Jira Cloud, user pickers take accountIds: `{"name": …}` becomes `{"accountId": …}`. */
async function cloudUsers(run: IssueRun, value: unknown, label: string, issueKey: string): Promise<unknown> {
  run.deployment ??= deploymentOf(run.client)
  if ((await run.deployment) !== 'Cloud') return value
  const one = async (user: unknown): Promise<unknown> => {
    const name = (user as { name?: unknown })?.name
    return typeof name === 'string' ? { accountId: await resolveAccountId(run.client, name, label, issueKey) } : user
  }
  return Array.isArray(value) ? Promise.all(value.map(one)) : one(value)
}

/** Maps items through an async function, at most `limit` at a time, keeping their order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
