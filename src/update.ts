import { setMaxListeners } from 'node:events'
import { describeAuth } from './jira/auth.js'
import { connect, type Connection, type Endpoint } from './jira/connect.js'
import type { JiraClient } from './jira/client.js'
import { asJiraError, HALTING_KINDS, JiraError, Stopped } from './jira/errors.js'
import { formatValue, holdsValue, isFieldId, resolveField, type FieldDefinition, type FieldMeta } from './jira/fields.js'
import {
  commentRequest,
  describeWrite,
  editRequest,
  listFields,
  readIssue,
  remoteLinkRequest,
  sendWrite,
  type IssueEdit,
  type IssueWithEditMeta,
  type RemoteLink,
  type WriteRequest
} from './jira/issues.js'
import { deploymentOf, searchIssueKeys, type Deployment } from './jira/search.js'
import { resolveAccountId } from './jira/users.js'
import type { NetworkOptions } from './jira/transport.js'
import { ACTION_WORDS, type Words } from './jira/words.js'
import { clashes, type CommentPlan, type FieldChange, type IssueSelection, type RemoteLinkPlan } from './plan.js'
import type { Log } from './report/log.js'
import {
  describeResult,
  displayValue,
  failedRun,
  runResultOf,
  summarizeResults,
  WRITE_OUTCOMES,
  type ChangeOutcome,
  type ChangeResult,
  type IssueResult,
  type RunReport
} from './report/outcome.js'

export type { IssueSelection }

/** Everything one update run needs, validated and planned: the core's whole input. */
export interface UpdateOptions extends Endpoint, NetworkOptions {
  issues: IssueSelection
  /** Field changes in the order written: the field and value inputs first, then each line of set. */
  changes: FieldChange[]
  /** Raw JSON sent as {"fields": …}, for anything the changes cannot say. */
  fields?: Record<string, unknown>
  remoteLink?: RemoteLinkPlan
  comment?: CommentPlan
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

/** A field change with its field resolved to an id: what each issue applies. */
interface ResolvedChange extends FieldChange {
  id: string
  /** The field as the user named it, with its id when a name was resolved. */
  target: string
}

/**
 * Applies the planned changes to every issue and reports each change's outcome. Per issue: one
 * GET (every field needed, with the edit metadata), at most one PUT with every field change,
 * then the remote link and the comment. One issue's failure never stops the others, except a
 * CAPTCHA, refused credentials or a jira-url that is not Jira: every further request would
 * fail the same way and add to Jira's failed-login count, so the stop reaches requests in flight
 * and retries waiting too. A cancel through `deps.signal` stops the same way and reports what
 * finished.
 */
export async function updateIssues(options: UpdateOptions, deps: UpdateDependencies): Promise<RunReport> {
  const halt = new AbortController()
  const signal = deps.signal ? AbortSignal.any([deps.signal, halt.signal]) : halt.signal
  // Each request in flight and each retry waiting listens for the stop: up to two per issue at once.
  setMaxListeners(10 + 4 * options.concurrency, signal)
  deps.log.debug(`Authenticating to ${options.jiraUrl} with ${describeAuth(options.auth)}.`)
  const client = connect(options, { ...deps, signal, debug: message => deps.log.debug(message) }, message => deps.log.info(message))
  const words = deps.words ?? ACTION_WORDS
  const { issues } = options
  if (issues.by === 'none') {
    const reason = `No issue key found in ${issues.lookedIn}.`
    const remedy = `Name the issue (e.g. CI-42) in the pull request title, the branch or a commit message, or pass ${words.input('issue')} or ${words.input('jql')}.`
    return failedRun(new JiraError('not-found', reason, remedy), 'no-issues')
  }

  if (issues.by === 'keys' && issues.keys.length > options.maxIssues) return failedRun(tooManyKeys(issues, options.maxIssues, words), 'invalid')
  let issueKeys = issues.by === 'keys' ? issues.keys : []
  let changes: ResolvedChange[]
  try {
    if (issues.by === 'jql') issueKeys = await searchIssueKeys(client, issues.jql, options.maxIssues)
    if (issueKeys.length === 0) {
      const jql = issues.by === 'jql' ? issues.jql : ''
      return failedRun(new JiraError('not-found', `The JQL query matched no issue: ${jql}`, "Check the query in Jira's issue search."), 'no-issues')
    }
    changes = await resolveChanges(client, options, deps.log, words)
  } catch (thrown) {
    if (thrown instanceof Stopped) return failedRun(stoppedError(), 'cancelled')
    const error = asJiraError(thrown)
    return failedRun(error, runResultOf(error.kind))
  }

  const run: IssueRun = { client, options, deps, words, changes }
  const updateKey = async (issueKey: string): Promise<IssueResult> => {
    if (signal.aborted) return notAttempted(run, issueKey)
    const done: ChangeResult[] = []
    let result: IssueResult
    try {
      result = await updateOne(run, issueKey, done)
    } catch (thrown) {
      if (thrown instanceof Stopped) return done.length > 0 ? { ...notAttempted(run, issueKey), changes: done } : notAttempted(run, issueKey)
      const error = asJiraError(thrown, issueKey)
      // Failed before any change was sent (the issue could not be read): each change failed with it.
      result = { issueKey, outcome: error.kind, changes: done.length > 0 ? done : plannedChanges(run, 'failed', error.reason), error }
    }
    if (result.error && HALTING_KINDS.has(result.error.kind)) halt.abort(result.error)
    if (result.error?.details.debug) {
      deps.log.debug(`${issueKey}: ${result.error.details.debug}`)
    } else if (!result.error) {
      deps.log.info(describeResult(result))
    }
    return result
  }
  // The first issue goes alone until Jira has answered it once: if Jira refuses the credentials,
  // no other request is sent; once it accepted them, the others need not wait for the rest of it.
  let gate: Promise<unknown> = Promise.resolve()
  const results = await mapLimit(issueKeys, options.concurrency, (issueKey, index) => {
    if (index > 0) return gate.then(() => updateKey(issueKey))
    let accepted = (): void => {}
    const answered = new Promise<void>(resolve => (accepted = resolve))
    run.answered = () => {
      run.answered = undefined
      accepted()
    }
    const result = updateKey(issueKey)
    gate = Promise.race([result, answered])
    return result
  })
  return summarizeResults(results)
}

/** More keys than max-issues: named by the issue input, or found in the build's context. */
function tooManyKeys(issues: { keys: string[]; found?: string }, maxIssues: number, words: Words): JiraError {
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

/**
 * Resolves every field name with one /field call (names are global), and refuses changes Jira
 * would refuse together once names and ids meet: a field set twice, or set and also added to.
 */
async function resolveChanges(client: JiraClient, options: UpdateOptions, log: Log, words: Words): Promise<ResolvedChange[]> {
  const named = options.changes.filter(change => !isFieldId(change.field.trim()))
  const definitions: FieldDefinition[] = named.length > 0 ? await listFields(client) : []
  const problems: JiraError[] = []
  const told = new Set<string>()
  const resolved: ResolvedChange[] = []
  for (const change of options.changes) {
    const written = change.field.trim()
    if (isFieldId(written)) {
      resolved.push({ ...change, id: written, target: written })
      continue
    }
    try {
      const id = resolveField(written, definitions, client.redactor)
      // The id is Jira's text: it is sent as it is, and shown through the boundary.
      const shown = client.redactor.excerpt(id, 100)
      if (id !== written && !told.has(written)) log.info(`Field "${written}" is ${shown}.`)
      told.add(written)
      resolved.push({ ...change, id, target: id === written ? written : `${written} (${shown})` })
    } catch (thrown) {
      const error = asJiraError(thrown)
      problems.push(new JiraError('invalid', `${change.origin}: ${error.reason}`, error.remedy))
    }
  }
  for (const [earlier, later] of clashes(resolved, change => change.id)) {
    problems.push(
      new JiraError(
        'invalid',
        `${earlier.origin} and ${later.origin} both change ${later.target}, and Jira refuses a field that is set and also changed otherwise in one edit.`,
        'Keep one of them.'
      )
    )
  }
  for (const change of resolved) {
    if (options.fields && change.id in options.fields) {
      problems.push(
        new JiraError('invalid', `${words.input('fields')} sets ${change.id} too, which ${change.origin} already changes.`, 'Change it in one place.')
      )
    }
  }
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new JiraError('invalid', problems.map(p => p.message).join(' '), '')
  return resolved
}

/** An issue not attempted: skipped after a halting failure, or cancelled from outside. */
function notAttempted(run: IssueRun, issueKey: string): IssueResult {
  const cancelled = run.deps.signal?.aborted === true
  const reason = cancelled ? 'the run was cancelled' : 'not attempted after an earlier request failed in a way every request would'
  return { issueKey, outcome: cancelled ? 'cancelled' : 'skipped', changes: plannedChanges(run, 'skipped', reason) }
}

/** Every change the run plans for an issue, as written, with one outcome and why. */
function plannedChanges(run: IssueRun, outcome: ChangeOutcome, reason: string): ChangeResult[] {
  const { options, words } = run
  const results: ChangeResult[] = run.changes.map(change => ({
    target: change.target,
    origin: change.origin,
    action: change.operation,
    value: change.value,
    outcome,
    reason
  }))
  for (const [id, value] of Object.entries(options.fields ?? {}))
    results.push({ target: id, origin: words.input('fields'), action: 'set', value: displayValue(value), outcome, reason })
  if (options.remoteLink)
    results.push({ target: 'remote link', origin: words.input('remote-link'), action: 'link', value: options.remoteLink.title, outcome, reason })
  if (options.comment) {
    const post = options.comment.post
    results.push({
      target: 'comment',
      origin: words.input('comment'),
      action: 'comment',
      value: post ? options.comment.body : undefined,
      outcome: post ? outcome : 'skipped',
      reason: post ? reason : options.comment.reason
    })
  }
  return results
}

function stoppedError(): JiraError {
  return new JiraError('error', 'The run was cancelled before any issue was updated.', '')
}

interface IssueRun {
  client: JiraClient
  options: UpdateOptions
  deps: UpdateDependencies
  words: Words
  changes: ResolvedChange[]
  /** Asked once per run, and only when a user field needs it. */
  deployment?: Promise<Deployment>
  /** Told when the first issue's first request was answered without a refusal. */
  answered?: () => void
}

/** A change Jira would refuse, found before anything is sent: why, and what to do. */
interface Refusal {
  change: ResolvedChange
  reason: string
  remedy: string
}

/**
 * One issue: read it, work out each field change (refusing what Jira would refuse, skipping
 * what it already holds), send the edit, then the remote link and the comment side by side.
 * Neither is sent when the edit failed. Each change's result is pushed onto `done` as soon as it
 * is known, so a cancel still reports what was written.
 */
async function updateOne(run: IssueRun, issueKey: string, done: ChangeResult[]): Promise<IssueResult> {
  const { client, options, words } = run
  const edit: Required<IssueEdit> = { fields: {}, update: {} }
  const pending: ChangeResult[] = []
  const refusals: Refusal[] = []
  if (run.changes.length > 0) {
    // One GET brings every current value and the edit screen's metadata together.
    const issue = await readIssue(client, issueKey, [...new Set(run.changes.map(change => change.id))])
    run.answered?.()
    for (const change of run.changes) {
      const planned = await planFieldChange(run, issueKey, issue, change)
      if ('reason' in planned) {
        refusals.push(planned)
        continue
      }
      // The value as Jira spells it (an option's case, a number), not as typed.
      const result: ChangeResult = { target: change.target, origin: change.origin, action: change.operation, value: planned.shown, outcome: 'unchanged' }
      if (planned.send === undefined) done.push(result)
      else {
        if (change.operation === 'set') edit.fields[change.id] = planned.send
        else (edit.update[change.id] ??= []).push(...(planned.send as unknown[]).map(item => ({ [change.operation]: item })))
        pending.push(result)
      }
    }
  }
  if (refusals.length > 0) return refused(run, issueKey, refusals, done)

  for (const [id, value] of Object.entries(options.fields ?? {})) {
    edit.fields[id] = value
    pending.push({ target: id, origin: words.input('fields'), action: 'set', value: displayValue(value), outcome: 'unchanged' })
  }
  if (Object.keys(edit.fields).length > 0 || Object.keys(edit.update).length > 0) {
    const body: IssueEdit = {}
    if (Object.keys(edit.fields).length > 0) body.fields = edit.fields
    if (Object.keys(edit.update).length > 0) body.update = edit.update
    const wrote: Record<string, ChangeOutcome> = { set: 'set', add: 'added', remove: 'removed' }
    try {
      await write(run, editRequest(issueKey, body, options.notifyUsers))
      for (const result of pending) done.push({ ...result, outcome: options.dryRun ? 'dry-run' : wrote[result.action] })
    } catch (thrown) {
      if (thrown instanceof Stopped) throw thrown
      const error = asJiraError(thrown, issueKey)
      for (const result of pending) done.push({ ...result, outcome: 'failed', reason: error.reason })
      skipRest(run, done, `not sent: the edit of ${issueKey} failed`)
      return { issueKey, outcome: error.kind, changes: done, error }
    }
  }

  // The link and the comment do not depend on each other: both go once the edit is done.
  const [link, comment] = await Promise.all([sendRemoteLink(run, issueKey), sendComment(run, issueKey)])
  for (const step of [link, comment]) if (step?.change) done.push(step.change)
  const stopped = [link, comment].find(step => step?.failure instanceof Stopped)?.failure
  if (stopped) throw stopped
  const failure = [link, comment].map(step => step?.failure).find(failed => failed instanceof JiraError)
  if (failure instanceof JiraError) return { issueKey, outcome: failure.kind, changes: done, error: failure }

  const outcome = done.some(change => change.outcome === 'dry-run')
    ? 'dry-run'
    : done.some(change => WRITE_OUTCOMES.has(change.outcome))
      ? 'updated'
      : 'unchanged'
  return { issueKey, outcome, changes: done }
}

/** A write's change result, and its failure if it failed (a JiraError, or Stopped by a halt or cancel). */
interface Step {
  change?: ChangeResult
  failure?: JiraError | Stopped
}

/** Upserts the remote link by its globalId: `added` (201) or `updated` (200). */
async function sendRemoteLink(run: IssueRun, issueKey: string): Promise<Step | undefined> {
  const link = run.options.remoteLink
  if (!link) return undefined
  const change: ChangeResult = { target: 'remote link', origin: run.words.input('remote-link'), action: 'link', value: link.title, outcome: 'dry-run' }
  try {
    const status = await write(run, remoteLinkRequest(issueKey, remoteLinkOf(link)))
    return { change: { ...change, outcome: status === undefined ? 'dry-run' : status === 201 ? 'added' : 'updated' } }
  } catch (thrown) {
    if (thrown instanceof Stopped) return { failure: thrown }
    const error = asJiraError(thrown, issueKey)
    return { change: { ...change, outcome: 'failed', reason: error.reason }, failure: error }
  }
}

/**
 * Posts the comment, or says why not. A lost answer is never retried (the client sends it once
 * unless Jira certainly did not take it): Jira may have posted it, and a retry would post it twice.
 */
async function sendComment(run: IssueRun, issueKey: string): Promise<Step | undefined> {
  const comment = run.options.comment
  if (!comment) return undefined
  const change: ChangeResult = { target: 'comment', origin: run.words.input('comment'), action: 'comment', outcome: 'dry-run' }
  if (!comment.post) return { change: { ...change, outcome: 'skipped', reason: comment.reason } }
  const posted = { ...change, value: comment.body }
  const check = `the comment may have been posted; check ${issueKey} before posting it again`
  try {
    const status = await write(run, commentRequest(issueKey, comment.body))
    return { change: { ...posted, outcome: status === undefined ? 'dry-run' : 'posted' } }
  } catch (thrown) {
    if (thrown instanceof Stopped) return { change: thrown.mayHaveArrived ? { ...posted, outcome: 'failed', reason: check } : undefined, failure: thrown }
    const cause = asJiraError(thrown, issueKey)
    if (!cause.details.mayHaveArrived) return { change: { ...posted, outcome: 'failed', reason: cause.reason }, failure: cause }
    const error = new JiraError(cause.kind, `${cause.reason} The comment may have been posted; check ${issueKey}.`, cause.remedy, cause.details)
    return { change: { ...posted, outcome: 'failed', reason: check }, failure: error }
  }
}

/** Sends a write and returns Jira's status, or prints it in a dry run and returns undefined. */
async function write(run: IssueRun, request: WriteRequest): Promise<number | undefined> {
  if (run.options.dryRun) {
    run.deps.log.info(describeWrite(run.client, request))
    return undefined
  }
  const status = await sendWrite(run.client, request)
  run.answered?.()
  return status
}

/** The remote link and the comment are not sent after an earlier write of the issue failed. */
function skipRest(run: IssueRun, done: ChangeResult[], reason: string): void {
  const { options, words } = run
  if (options.remoteLink)
    done.push({ target: 'remote link', origin: words.input('remote-link'), action: 'link', value: options.remoteLink.title, outcome: 'skipped', reason })
  if (options.comment)
    done.push({
      target: 'comment',
      origin: words.input('comment'),
      action: 'comment',
      value: options.comment.post ? options.comment.body : undefined,
      outcome: 'skipped',
      reason: options.comment.post ? reason : options.comment.reason
    })
}

/** An issue with a change Jira would refuse: nothing is written to it, and each refusal is named with its line. */
function refused(run: IssueRun, issueKey: string, refusals: Refusal[], done: ChangeResult[]): IssueResult {
  const reason = `nothing is written to ${issueKey} while ${refusals[0].change.origin} is refused`
  const results = run.changes.map((change): ChangeResult => {
    const refusal = refusals.find(r => r.change === change)
    const base = { target: change.target, origin: change.origin, action: change.operation, value: change.value }
    if (refusal) return { ...base, outcome: 'failed', reason: `${refusal.reason} ${refusal.remedy}` }
    // What the issue already holds stays so; the rest is not sent.
    return done.find(result => result.origin === change.origin) ?? { ...base, outcome: 'skipped', reason }
  })
  for (const [id, value] of Object.entries(run.options.fields ?? {}))
    results.push({ target: id, origin: run.words.input('fields'), action: 'set', value: displayValue(value), outcome: 'skipped', reason })
  done.splice(0, done.length, ...results)
  skipRest(run, done, reason)
  const error = new JiraError(
    'invalid',
    `Nothing was written to ${issueKey}: ${refusals.map(r => `${r.change.origin}: ${r.reason}`).join(' ')}`,
    refusals.map(r => r.remedy).join(' '),
    { issueKey }
  )
  return { issueKey, outcome: 'invalid', changes: done, error }
}

/**
 * What one field change sends on this issue: the value to set or the items to add or remove,
 * nothing (`send` undefined) when the field already holds it, or why Jira would refuse it.
 */
async function planFieldChange(
  run: IssueRun,
  issueKey: string,
  issue: IssueWithEditMeta,
  change: ResolvedChange
): Promise<{ send?: unknown; shown: string } | Refusal> {
  const screen = issue.editmeta?.fields
  const meta = screen && Object.hasOwn(screen, change.id) ? screen[change.id] : undefined
  const refuse = (reason: string, remedy: string): Refusal => ({ change, reason, remedy })
  if (!meta || typeof meta !== 'object') {
    return refuse(
      `Field ${change.target} is not on the edit screen of ${issueKey}.`,
      "Check the field, and that it is on the edit screen of the issue's type (Project settings → Screens)."
    )
  }
  const verb = change.operation === 'add' ? '+=' : '-='
  if (change.operation !== 'set') {
    if (meta.schema?.type !== 'array') {
      return refuse(
        `${verb} adds or removes one item of a list field (labels, versions, components, multi-selects), but ${change.target} holds a single value.`,
        `Write ${change.field.trim()} = value to set it.`
      )
    }
    const operations = (meta as FieldMeta & { operations?: unknown }).operations
    if (Array.isArray(operations) && !operations.includes(change.operation)) {
      return refuse(
        `Jira does not allow ${change.operation} on ${change.target} (it allows ${operations.join(', ')}).`,
        `Write ${change.field.trim()} = value to set it.`
      )
    }
  }
  let value: unknown
  try {
    run.deps.log.debug(`${issueKey}: ${change.target} is a field of type ${schemaOf(meta)}.`)
    value = formatValue(change.id, meta, change.value, run.deps.now, run.client.redactor)
    if (isUserField(meta)) value = await cloudUsers(run, value, run.client.redactor.excerpt(`${change.id}${meta.name ? ` (${meta.name})` : ''}`, 100), issueKey)
  } catch (thrown) {
    if (!(thrown instanceof JiraError) || thrown.kind !== 'invalid') throw thrown
    return refuse(thrown.reason, thrown.remedy)
  }
  const current = issue.fields?.[change.id]
  const shown = displayValue(value)
  if (change.operation === 'set') return holdsValue(current, value) ? { shown } : { send: value, shown }
  const items = Array.isArray(value) ? value : [value]
  const present = (item: unknown): boolean => Array.isArray(current) && current.some(existing => holdsValue(existing, item))
  const send = items.filter(item => (change.operation === 'add' ? !present(item) : present(item)))
  return send.length === 0 ? { shown } : { send, shown }
}

/** The whole link as Jira takes it: an update clears what it leaves out. */
function remoteLinkOf(link: RemoteLinkPlan): RemoteLink {
  const { application, statusIcon, status } = link
  return {
    globalId: link.globalId,
    application: { type: 'jira-build-result', name: application.name },
    relationship: 'build',
    object: {
      url: link.url,
      title: link.title,
      ...(application.icon ? { icon: { url16x16: application.icon, title: application.name } } : {}),
      status: { resolved: false, ...(statusIcon ? { icon: { url16x16: statusIcon, title: status ?? '' } } : {}) }
    }
  }
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
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index], index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
