import { authenticatorFor } from './jira/auth.js'
import { JiraClient } from './jira/client.js'
import { asJiraError, JiraError } from './jira/errors.js'
import { formatValue, type EditMeta } from './jira/fields.js'
import type { Transport } from './jira/transport.js'
import type { UpdateOptions } from './options.js'
import type { SigningSources } from './oauth/sign.js'
import type { Log } from './report/log.js'
import { describeResult, summarizeResults, type IssueResult, type RunReport } from './report/outcome.js'

/** The I/O an update run uses, passed in so tests and the benchmark can choose. */
export interface UpdateDependencies {
  transport: Transport
  log: Log
  sources?: SigningSources
  now?: () => Date
}

/** Thrown before a request that an earlier refusal of the credentials makes pointless. */
class NotAttempted extends Error {}

/** How many issues are worked on at once. */
const CONCURRENCY = 4

/**
 * Sets the configured fields on every issue and reports each issue's outcome. One issue's
 * failure never stops the others, except a CAPTCHA or refused credentials: every further
 * request would fail the same way and add to Jira's failed-login count.
 */
export async function updateIssues(options: UpdateOptions, deps: UpdateDependencies): Promise<RunReport> {
  const client = new JiraClient(options.jiraUrl, authenticatorFor(options.auth, deps.sources), deps.transport)
  let halted = false
  const updateKey = async (issueKey: string): Promise<IssueResult> => {
    if (halted) return { issueKey, outcome: 'not-attempted' } satisfies IssueResult
    const guard = (): void => {
      if (halted) throw new NotAttempted()
    }
    let result: IssueResult
    try {
      result = await updateOne(client, options, issueKey, guard, deps)
    } catch (thrown) {
      if (thrown instanceof NotAttempted) return { issueKey, outcome: 'not-attempted' } satisfies IssueResult
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
  const [first, ...rest] = options.issueKeys
  const results = first === undefined ? [] : [await updateKey(first)]
  results.push(...(await mapLimit(rest, CONCURRENCY, updateKey)))
  return summarizeResults(results)
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
    const editMeta = await client.json<EditMeta>('GET', `${path}/editmeta`, { issueKey })
    const meta = editMeta?.fields?.[options.field]
    if (!meta) {
      throw new JiraError(
        'invalid',
        `Field ${options.field} is not on the edit screen of ${issueKey}.`,
        "Check the field id, and that the field is on the edit screen of the issue's type (Project settings → Screens).",
        { issueKey }
      )
    }
    fields[options.field] = formatValue(options.field, meta, options.value, deps.now)
  }
  const body = { fields }
  if (options.dryRun) {
    deps.log.info(
      [
        `[dry-run] PUT ${client.url(path)}`,
        'Content-Type: application/json',
        'Authorization: <redacted>',
        JSON.stringify(body)
      ].join('\n')
    )
    return { issueKey, outcome: 'dry-run', fields }
  }
  guard()
  await client.json('PUT', path, { json: body, issueKey })
  return { issueKey, outcome: 'updated', fields }
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
