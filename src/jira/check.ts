import { connect, type Connection, type Endpoint } from './connect.js'
import { JiraError } from './errors.js'
import { object, optional, shape, string, type Shape } from './shape.js'

export interface JiraUser {
  name: string
  displayName?: string
  /** Where the REST calls went (Cloud's API gateway), when not to jira-url. */
  apiUrl?: string
}

type Myself = { name?: string; accountId?: string; emailAddress?: string; displayName?: string }

const MYSELF: Shape<Myself> = shape(
  'a user object',
  object({ name: optional(string), accountId: optional(string), emailAddress: optional(string), displayName: optional(string) })
)

/**
 * Asks Jira who the credentials act as (`GET /rest/api/2/myself`). Throws the diagnosed
 * JiraError: a CAPTCHA, an oauth_problem, or an anonymous answer.
 */
export async function checkCredentials(endpoint: Endpoint, connection: Connection): Promise<JiraUser> {
  const client = connect(endpoint, connection)
  const myself = await client.json('GET', '/rest/api/2/myself', {}, MYSELF)
  // Server/DC name the user; Cloud gives an accountId and e-mail address instead.
  const name = [myself?.name, myself?.emailAddress, myself?.accountId].find((value): value is string => typeof value === 'string' && value !== '')
  if (!name) throw new JiraError('error', 'Jira answered /rest/api/2/myself without a user.', `Check ${client.words.input('jira-url')} points at Jira itself.`)
  const displayName = typeof myself?.displayName === 'string' ? client.redactor.excerpt(myself.displayName, 120) : undefined
  const apiUrl = client.url('') === endpoint.jiraUrl ? undefined : client.url('')
  return { name: client.redactor.excerpt(name, 120), displayName, apiUrl }
}
