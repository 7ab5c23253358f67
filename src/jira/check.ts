import { authenticatorFor } from './auth.js'
import { JiraClient, retryPolicy } from './client.js'
import { JiraError } from './errors.js'
import type { Transport } from './transport.js'
import type { ConnectionOptions } from '../options.js'
import type { SigningSources } from '../oauth/sign.js'

export interface JiraUser {
  name: string
  displayName?: string
}

/**
 * Asks Jira who the credentials act as (`GET /rest/api/2/myself`). Throws the diagnosed
 * JiraError: a CAPTCHA, an oauth_problem, or an anonymous answer.
 */
export async function checkCredentials(options: ConnectionOptions, transport: Transport, sources?: SigningSources): Promise<JiraUser> {
  const client = new JiraClient(options.jiraUrl, authenticatorFor(options.auth, sources), transport, retryPolicy(options.maxRetries, options.timeoutSeconds))
  const myself = await client.json<{ name?: string; accountId?: string; emailAddress?: string; displayName?: string }>('GET', '/rest/api/2/myself')
  // Server/DC name the user; Cloud gives an accountId and e-mail address instead.
  const name = myself?.name ?? myself?.emailAddress ?? myself?.accountId
  if (!name) throw new JiraError('error', 'Jira answered /rest/api/2/myself without a user.', 'Check jira-url points at Jira itself.')
  return { name, displayName: myself?.displayName }
}
