import { ISSUE_KEY } from '../issues/keys.js'
import type { JiraClient, Shape } from './client.js'
import { JiraError } from './errors.js'

/** Issues per page asked for; Jira may answer with fewer. */
export const SEARCH_PAGE_SIZE = 100
/** Pages read at most, whatever Jira says of more: a search that ignores paging ends here. */
export const MAX_SEARCH_PAGES = 20

interface SearchPage {
  issues: Array<{ key?: unknown }>
  total?: number
  nextPageToken?: string
  isLast?: boolean
}

const SEARCH_PAGE: Shape<SearchPage> = {
  name: 'a search page with an issues list',
  is: (value): value is SearchPage => typeof value === 'object' && value !== null && Array.isArray((value as SearchPage).issues)
}

/** The deployment a Jira reports in /rest/api/2/serverInfo. */
export type Deployment = 'Cloud' | 'Server'

const SERVER_INFO: Shape<{ deploymentType?: unknown }> = {
  name: 'a server info object',
  is: (value): value is { deploymentType?: unknown } => typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Cloud or Server/Data Center, as Jira says of itself. */
export async function deploymentOf(client: JiraClient): Promise<Deployment> {
  const info = await client.json('GET', '/rest/api/2/serverInfo', {}, SERVER_INFO)
  return info?.deploymentType === 'Cloud' ? 'Cloud' : 'Server'
}

/**
 * Every issue key a JQL query matches. Server and Data Center page /rest/api/2/search by
 * startAt; Jira Cloud removed that endpoint in 2025 (410 Gone, CHANGE-2046), and its
 * replacement /rest/api/3/search/jql pages by nextPageToken. The old endpoint is asked first
 * and Jira's 410 chooses the new one, so no host name is guessed at. Keys are checked as
 * strictly as keys a person typed: a key goes into a request path.
 */
export async function searchIssueKeys(client: JiraClient, jql: string): Promise<string[]> {
  try {
    return await searchByOffset(client, jql)
  } catch (thrown) {
    if (thrown instanceof JiraError && thrown.details.status === 410) return searchByToken(client, jql)
    throw thrown
  }
}

async function searchByOffset(client: JiraClient, jql: string): Promise<string[]> {
  const keys = new KeyCollector(client)
  for (let page = 0, startAt = 0; page < MAX_SEARCH_PAGES; page++) {
    const answer = await client.json(
      'GET',
      '/rest/api/2/search',
      { query: { jql, startAt: String(startAt), maxResults: String(SEARCH_PAGE_SIZE), fields: 'key' } },
      SEARCH_PAGE
    )
    const issues = answer?.issues ?? []
    const added = keys.add(issues)
    startAt += issues.length
    // Jira may cap maxResults below what was asked, so go by total, not by page size; and a
    // search that ignores startAt repeats its page, which adds nothing.
    if (issues.length === 0 || added === 0 || typeof answer?.total !== 'number' || startAt >= answer.total) return keys.list
  }
  throw tooMany(jql)
}

async function searchByToken(client: JiraClient, jql: string): Promise<string[]> {
  const keys = new KeyCollector(client)
  const seenTokens = new Set<string>()
  let nextPageToken: string | undefined
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const query: Record<string, string> = { jql, maxResults: String(SEARCH_PAGE_SIZE), fields: 'key' }
    if (nextPageToken) query.nextPageToken = nextPageToken
    const answer = await client.json('GET', '/rest/api/3/search/jql', { query }, SEARCH_PAGE)
    const issues = answer?.issues ?? []
    const added = keys.add(issues)
    nextPageToken = typeof answer?.nextPageToken === 'string' && answer.nextPageToken !== '' ? answer.nextPageToken : undefined
    if (issues.length === 0 || added === 0 || answer?.isLast === true || !nextPageToken || seenTokens.has(nextPageToken)) return keys.list
    seenTokens.add(nextPageToken)
  }
  throw tooMany(jql)
}

function tooMany(jql: string): JiraError {
  return new JiraError(
    'invalid',
    `The JQL query matches more than ${MAX_SEARCH_PAGES} pages of issues (${jql}); no issue was updated.`,
    'Narrow the query to the issues this build concerns, such as fixVersion = "1.4" AND status = "In Review".'
  )
}

/** Keys in first-seen order, each checked to be an issue key before it is used. */
class KeyCollector {
  readonly list: string[] = []
  private readonly seen = new Set<string>()

  constructor(private readonly client: JiraClient) {}

  /** Adds a page's keys; returns how many were new. */
  add(issues: Array<{ key?: unknown }>): number {
    let added = 0
    for (const issue of issues) {
      const key = issue?.key
      if (typeof key !== 'string' || !ISSUE_KEY.test(key)) {
        const shown = this.client.redactor.excerpt(JSON.stringify(key) ?? 'nothing', 40)
        throw new JiraError(
          'error',
          `Jira's search answered with ${shown} where an issue key belongs, so no issue was updated from it.`,
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
