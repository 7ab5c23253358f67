import type { JiraClient } from './client.js'
import { JiraError } from './errors.js'
import { boolean, list, object, optional, shape, string, type Shape } from './shape.js'

interface CloudUser {
  accountId: string
  displayName?: string
  emailAddress?: string
  accountType?: string
  active?: boolean
}

const USER_LIST: Shape<CloudUser[]> = shape(
  'a list of users',
  list(
    object(
      { accountId: string, displayName: optional(string), emailAddress: optional(string), accountType: optional(string), active: optional(boolean) },
      'a user'
    ),
    'a list of users'
  )
)

// Cloud account ids: 24 hex digits, or "557058:" followed by a UUID.
const ACCOUNT_ID = /^(?:[0-9a-f]{24}|\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i

/**
 * The accountId of the user a person named, on Jira Cloud, where user pickers take
 * `{"accountId": …}` and no longer a name: an account id as written, or the one user whose
 * e-mail address or display name matches exactly (case aside). Throws an `invalid` JiraError
 * naming the candidates when none or several match.
 */
export async function resolveAccountId(client: JiraClient, written: string, label: string, issueKey?: string): Promise<string> {
  const wanted = written.trim()
  if (ACCOUNT_ID.test(wanted)) return wanted
  const users = (await client.json('GET', '/rest/api/3/user/search', { query: { query: wanted, maxResults: '20' }, issueKey }, USER_LIST)) ?? []
  const people = users.filter(user => user.accountType === undefined || user.accountType === 'atlassian')
  const folded = wanted.toLowerCase()
  const exact = people.filter(user => user.emailAddress?.toLowerCase() === folded || user.displayName?.toLowerCase() === folded)
  if (exact.length === 1) return exact[0].accountId
  const describe = (list: CloudUser[]): string =>
    list
      .slice(0, 5)
      .map(
        user =>
          `"${client.redactor.excerpt(user.displayName ?? '?', 60)}"${user.emailAddress ? ` <${client.redactor.excerpt(user.emailAddress, 80)}>` : ''} (${client.redactor.excerpt(user.accountId, 60)})`
      )
      .join(', ')
  if (exact.length > 1) {
    throw new JiraError(
      'invalid',
      `${exact.length} users of this Jira Cloud match "${wanted}" for ${label}: ${describe(exact)}.`,
      'Write the e-mail address or the accountId instead.',
      { issueKey }
    )
  }
  throw new JiraError(
    'invalid',
    `No user of this Jira Cloud is "${wanted}" for ${label}.`,
    people.length > 0
      ? `Did you mean ${describe(people)}? Write the e-mail address, the exact display name or the accountId.`
      : 'Write the e-mail address, the exact display name or the accountId of a user who can be assigned.',
    { issueKey }
  )
}
