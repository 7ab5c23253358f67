import { authenticatorFor } from './jira/auth.js'
import { JiraClient, retryPolicy } from './jira/client.js'
import { asJiraError, JiraError } from './jira/errors.js'
import { formatValue, holdsValue, isFieldId, resolveField, type EditMeta, type FieldDefinition } from './jira/fields.js'
import type { Transport } from './jira/transport.js'
import type { UpdateOptions } from './options.js'
import type { SigningSources } from './oauth/sign.js'
import type { Log } from './report/log.js'
import { describeResult, failedRun, summarizeResults, type IssueResult, type RunReport } from './report/outcome.js'

/** The I/O an update run uses, passed in so tests and the benchmark can choose. */
export interface UpdateDependencies {
  transport: Transport
  log: Log
  sources?: SigningSources
  now?: () => Date
}

/** Thrown before a request that an earlier refusal of the credentials makes pointless. */
class NotAttempted extends Error {}

/** Issues per page asked of /rest/api/2/search; Jira may answer with fewer. */
const SEARCH_PAGE_SIZE = 100

/**
 * Sets the configured fields on every issue and reports each issue's outcome. One issue's
 * failure never stops the others, except a CAPTCHA or refused credentials: every further
 * request would fail the same way and add to Jira's failed-login count.
 */
export async function updateIssues(options: UpdateOptions, deps: UpdateDependencies): Promise<RunReport> {
  const retry = retryPolicy(options.maxRetries, options.timeoutSeconds, message => deps.log.info(message))
  const client = new JiraClient(options.jiraUrl, authenticatorFor(options.auth, deps.sources), deps.transport, retry)
  if (options.noIssuesReason) {
    return failedRun(new JiraError('not-found', options.noIssuesReason, ''), 'no-issues')
  }

  let issueKeys = options.issueKeys
  let fieldId = options.field
  try {
    if (options.jql !== undefined) issueKeys = await searchIssueKeys(client, options.jql)
    if (issueKeys.length === 0) {
      return failedRun(new JiraError('not-found', `The JQL query matched no issue: ${options.jql}`, 'Check the query in Jira\'s issue search.'), 'no-issues')
    }
    // Field names are global, so one lookup serves every issue.
    if (fieldId !== undefined && !isFieldId(fieldId)) {
      fieldId = resolveField(fieldId, (await client.json<FieldDefinition[]>('GET', '/rest/api/2/field')) ?? [])
      deps.log.info(`Field "${options.field}" is ${fieldId}.`)
    }
  } catch (thrown) {
    const error = asJiraError(thrown)
    return failedRun(error, error.kind === 'network' ? 'error' : error.kind)
  }

  let halted = false
  const updateKey = async (issueKey: string): Promise<IssueResult> => {
    if (halted) return { issueKey, outcome: 'skipped' }
    const guard = (): void => {
      if (halted) throw new NotAttempted()
    }
    let result: IssueResult
    try {
      result = await updateOne(client, { ...options, field: fieldId }, issueKey, guard, deps)
    } catch (thrown) {
      if (thrown instanceof NotAttempted) return { issueKey, outcome: 'skipped' }
      const error = asJiraError(thrown, issueKey)
      if (error.kind === 'captcha' || error.kind === 'unauthorized') halted = true
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
  const results = [await updateKey(first)]
  results.push(...(await mapLimit(rest, options.concurrency, updateKey)))
  return summarizeResults(results)
}

interface IssueWithEditMeta {
  fields?: Record<string, unknown>
  editmeta?: EditMeta
}

async function updateOne(
  client: JiraClient,
  options: UpdateOptions,
  issueKey: string,
  guard: () => void,
  deps: UpdateDependencies
): Promise<IssueResult> {
  const path = `/rest/api/2/issue/${encodeURIComponent(issueKey)}`
  const fields: Record<string, unknown> = { ...options.fields }
  if (options.field !== undefined && options.value !== undefined) {
    // One GET brings the current value and the edit screen's metadata together.
    const issue = await client.json<IssueWithEditMeta>('GET', path, { query: { fields: options.field, expand: 'editmeta' }, issueKey })
    const meta = issue?.editmeta?.fields?.[options.field]
    if (!meta) {
      throw new JiraError(
        'invalid',
        `Field ${options.field} is not on the edit screen of ${issueKey}.`,
        "Check the field id, and that the field is on the edit screen of the issue's type (Project settings → Screens).",
        { issueKey }
      )
    }
    const value = formatValue(options.field, meta, options.value, deps.now)
    fields[options.field] = value
    if (Object.keys(fields).length === 1 && holdsValue(issue?.fields?.[options.field], value)) {
      return { issueKey, outcome: 'unchanged', fields }
    }
  }
  const query = options.notifyUsers ? undefined : { notifyUsers: 'false' }
  const body = { fields }
  if (options.dryRun) {
    deps.log.info(
      [`[dry-run] PUT ${client.url(path, query)}`, 'Content-Type: application/json', 'Authorization: <redacted>', JSON.stringify(body)].join('\n')
    )
    return { issueKey, outcome: 'dry-run', fields }
  }
  guard()
  await client.json('PUT', path, { query, json: body, issueKey })
  return { issueKey, outcome: 'updated', fields }
}

/** Every issue key a JQL query matches, reading /rest/api/2/search page by page. */
export async function searchIssueKeys(client: JiraClient, jql: string): Promise<string[]> {
  const keys: string[] = []
  for (let startAt = 0; ; ) {
    const page = await client.json<{ total?: number; issues?: Array<{ key: string }> }>('GET', '/rest/api/2/search', {
      query: { jql, startAt: String(startAt), maxResults: String(SEARCH_PAGE_SIZE), fields: 'key' }
    })
    const issues = page?.issues ?? []
    keys.push(...issues.map(issue => issue.key))
    startAt += issues.length
    // Jira may cap maxResults below what was asked, so go by total, not by page size.
    if (issues.length === 0 || startAt >= (page?.total ?? 0)) return keys
  }
}

/** Maps items through an async function, at most `limit` at a time, keeping their order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
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
