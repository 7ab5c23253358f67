import { ISSUE_KEY } from '../issues/keys.js'
import type { JiraClient } from './client.js'
import { JiraError } from './errors.js'
import { anything, boolean, list, number, object, optional, shape, string, type Shape } from './shape.js'

/** Issues per page asked for; Jira may answer with fewer. */
export const SEARCH_PAGE_SIZE = 100

interface SearchPage {
  issues: Array<{ key?: unknown }>
  total?: number
  nextPageToken?: string
  isLast?: boolean
}

// Each issue's key is checked as strictly as a key a person typed, by KeyCollector, which names it.
const SEARCH_PAGE: Shape<SearchPage> = shape(
  'a search page with an issues list',
  object({
    issues: list(object({ key: anything }, 'an issue'), 'a list of issues'),
    total: optional(number),
    nextPageToken: optional(string),
    isLast: optional(boolean)
  })
)

/** The deployment a Jira reports in /rest/api/2/serverInfo. */
export type Deployment = 'Cloud' | 'Server'

const SERVER_INFO: Shape<{ deploymentType?: string }> = shape('a server info object', object({ deploymentType: optional(string) }))

/** Cloud or Server/Data Center, as Jira says of itself. */
export async function deploymentOf(client: JiraClient): Promise<Deployment> {
  const info = await client.json('GET', '/rest/api/2/serverInfo', {}, SERVER_INFO)
  return info?.deploymentType === 'Cloud' ? 'Cloud' : 'Server'
}

/**
 * Every issue key a JQL query matches, at most `maxIssues` of them. Server and Data Center page
 * /rest/api/2/search by startAt; Jira Cloud removed that endpoint in 2025 (410 Gone,
 * CHANGE-2046), and its replacement /rest/api/3/search/jql pages by nextPageToken. The old
 * endpoint is asked first and Jira's 410 chooses the new one, so no host name is guessed at.
 * Keys are checked as strictly as keys a person typed: a key goes into a request path. Past
 * `maxIssues` no further page is read, and the search fails as `invalid`: nothing is written.
 */
export async function searchIssueKeys(client: JiraClient, jql: string, maxIssues: number): Promise<string[]> {
  try {
    return await searchByOffset(client, jql, maxIssues)
  } catch (thrown) {
    if (thrown instanceof JiraError && thrown.details.status === 410) return searchByToken(client, jql, maxIssues)
    throw thrown
  }
}

/** Asks for one key more than the cap allows at most: enough to know the cap is passed. */
function pageSize(maxIssues: number): string {
  return String(Math.min(SEARCH_PAGE_SIZE, maxIssues + 1))
}

async function searchByOffset(client: JiraClient, jql: string, maxIssues: number): Promise<string[]> {
  const keys = new KeyCollector(client, maxIssues)
  // Every page must add a key or the search ends, so the pages read are bounded by the cap.
  for (let startAt = 0; ;) {
    const answer = await client.json(
      'GET',
      '/rest/api/2/search',
      { query: { jql, startAt: String(startAt), maxResults: pageSize(maxIssues), fields: 'key' } },
      SEARCH_PAGE
    )
    const issues = answer?.issues ?? []
    const total = typeof answer?.total === 'number' ? answer.total : undefined
    if (total !== undefined && total > maxIssues) throw tooMany(client, jql, maxIssues, total)
    const added = keys.add(issues)
    if (keys.full) throw tooMany(client, jql, maxIssues)
    startAt += issues.length
    // Jira may cap maxResults below what was asked, so go by total, not by page size; and a
    // search that ignores startAt repeats its page, which adds nothing.
    if (issues.length === 0 || added === 0 || total === undefined || startAt >= total) return keys.list
  }
}

async function searchByToken(client: JiraClient, jql: string, maxIssues: number): Promise<string[]> {
  const keys = new KeyCollector(client, maxIssues)
  const seenTokens = new Set<string>()
  let nextPageToken: string | undefined
  for (;;) {
    const query: Record<string, string> = { jql, maxResults: pageSize(maxIssues), fields: 'key' }
    if (nextPageToken) query.nextPageToken = nextPageToken
    const answer = await client.json('GET', '/rest/api/3/search/jql', { query }, SEARCH_PAGE)
    const issues = answer?.issues ?? []
    const added = keys.add(issues)
    // Cloud's search says no total: what was read is all that is known.
    if (keys.full) throw tooMany(client, jql, maxIssues)
    nextPageToken = typeof answer?.nextPageToken === 'string' && answer.nextPageToken !== '' ? answer.nextPageToken : undefined
    if (issues.length === 0 || added === 0 || answer?.isLast === true || !nextPageToken || seenTokens.has(nextPageToken)) return keys.list
    seenTokens.add(nextPageToken)
  }
}

const count = (n: number): string => n.toLocaleString('en-US')

/** The search passed the cap: how many matched, when Jira said (Cloud does not), and what to narrow. */
function tooMany(client: JiraClient, jql: string, maxIssues: number, total?: number): JiraError {
  const { words } = client
  const limit = `${words.input('max-issues')} (${count(maxIssues)})`
  const matched = total === undefined ? `matches more issues than ${limit} allows` : `matches ${count(total)} issues, more than ${limit} allows`
  return new JiraError(
    'invalid',
    `The JQL query ${matched}, so no issue was updated. The query: ${client.redactor.excerpt(jql, 200)}`,
    `Narrow ${words.input('jql')} to the issues this build concerns (such as fixVersion = "1.4" AND status = "In Review"), or raise ${words.input('max-issues')} if that many are meant.`
  )
}

/** Keys in first-seen order, each checked to be an issue key before it is used, one past the cap at most. */
class KeyCollector {
  readonly list: string[] = []
  private readonly seen = new Set<string>()

  constructor(
    private readonly client: JiraClient,
    private readonly maxIssues: number
  ) {}

  /** Whether more keys were found than the cap allows; no more are taken then. */
  get full(): boolean {
    return this.list.length > this.maxIssues
  }

  /** Adds a page's keys, up to one past the cap; returns how many were new. */
  add(issues: Array<{ key?: unknown }>): number {
    let added = 0
    for (const [index, issue] of issues.entries()) {
      if (this.full) break
      const key = issue.key
      if (typeof key !== 'string' || !ISSUE_KEY.test(key)) {
        const shown = this.client.redactor.excerpt(JSON.stringify(key) ?? 'nothing', 40)
        throw new JiraError(
          'error',
          `Jira's search answered with ${shown} where an issue key belongs (issues[${index}].key), so no issue was updated from it.`,
          `Check ${this.client.words.input('jira-url')} points at Jira itself and not at a proxy or another service.`
        )
      }
      if (this.seen.has(key)) continue
      this.seen.add(key)
      this.list.push(key)
      added++
    }
    return added
  }
}
