/**
 * Where REST calls go. On Data Center, and on Cloud with a classic API token, that is jira-url.
 * Cloud's service accounts and scoped API tokens work only through Atlassian's API gateway,
 * https://api.atlassian.com/ex/jira/{cloudId}, where the cloudId comes from the site's
 * /_edge/tenant_info. Links people click keep jira-url whatever route the calls take.
 */
import type { JiraClient, Shape } from './client.js'
import { JiraError } from './errors.js'

/** Atlassian's API gateway. */
export const GATEWAY_ORIGIN = 'https://api.atlassian.com'

/** The base URL of a Cloud site's REST API through the gateway. */
export function gatewayUrl(cloudId: string, origin = GATEWAY_ORIGIN): string {
  return `${origin}/ex/jira/${cloudId}`
}

/** Whether a jira-url is a Jira Cloud site (Atlassian's own host names for sites). */
export function isCloudSite(jiraUrl: string): boolean {
  try {
    return /\.(atlassian\.net|jira\.com|jira-dev\.com)$/i.test(new URL(jiraUrl).hostname)
  } catch {
    return false
  }
}

/** The base REST calls go to, decided once per run and shared by every request. */
export interface ApiRoute {
  /** The base now; the first call may ask the site for its cloudId. */
  base(): Promise<string>
  /** The base as known without asking, for URLs shown before any request (a dry run). */
  readonly known: string
  /**
   * After a 401 from `sentTo`: another base worth one try, or undefined. On Cloud with basic auth
   * and no api-url, a scoped API token is refused at the site and accepted at the gateway.
   */
  afterUnauthorized?(sentTo: string): Promise<string | undefined>
  /** Whether calls went through the gateway when the site refused them, for the 401's explanation. */
  readonly triedGateway?: boolean
}

/** Always the same base: jira-url, or the api-url the user gave. */
export function fixedRoute(base: string): ApiRoute {
  return { known: base, base: () => Promise.resolve(base) }
}

type TenantInfo = { cloudId?: unknown }

const TENANT_INFO: Shape<TenantInfo> = {
  name: 'an object with a cloudId',
  is: (value): value is TenantInfo => typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Learns a Cloud site's gateway URL from `{site}/_edge/tenant_info` (no credentials needed).
 * Throws a JiraError naming api-url when the site does not say.
 */
export async function discoverGateway(siteClient: JiraClient, origin = GATEWAY_ORIGIN): Promise<string> {
  const site = siteClient.baseUrl
  const setIt = `Set ${siteClient.words.input('api-url')} to ${gatewayUrl('{cloudId}', origin)}, with the cloudId ${site}/_edge/tenant_info shows in a browser.`
  let info: TenantInfo | undefined
  try {
    info = await siteClient.json('GET', '/_edge/tenant_info', { anonymousExpected: true }, TENANT_INFO)
  } catch (thrown) {
    if (!(thrown instanceof JiraError) || thrown.kind === 'network') throw thrown
    throw new JiraError('wrong-url', `Could not learn the cloudId of ${site} for Cloud's API gateway: ${thrown.reason}`, setIt, thrown.details)
  }
  const cloudId = info?.cloudId
  // It goes into every URL: a UUID, nothing else.
  if (typeof cloudId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cloudId)) {
    throw new JiraError('wrong-url', `${site}/_edge/tenant_info did not name a cloudId, so ${site} does not look like a Jira Cloud site.`, setIt)
  }
  return gatewayUrl(cloudId.toLowerCase(), origin)
}

/** Through the gateway from the first call: Cloud service accounts. */
export function gatewayRoute(site: string, discover: () => Promise<string>): ApiRoute {
  let known = site
  let found: Promise<string> | undefined
  return {
    get known() {
      return known
    },
    base: () => (found ??= discover().then(url => (known = url))),
    triedGateway: true
  }
}

/**
 * The site first, and the gateway once the site answers 401: Cloud with basic auth, where the
 * API token may be a scoped one. The switch happens once and holds for the rest of the run.
 */
export function siteThenGatewayRoute(site: string, discover: () => Promise<string>, onSwitch: (gateway: string) => void): ApiRoute {
  let current: Promise<string> = Promise.resolve(site)
  let known = site
  let switched = false
  return {
    get known() {
      return known
    },
    base: () => current,
    get triedGateway() {
      return switched
    },
    afterUnauthorized(sentTo) {
      if (sentTo !== site) return Promise.resolve(undefined)
      if (!switched) {
        switched = true
        // A site whose cloudId cannot be learnt stays the route; its 401 is explained as it is.
        current = discover().then(
          url => {
            known = url
            onSwitch(url)
            return url
          },
          () => site
        )
      }
      return current.then(url => (url === site ? undefined : url))
    }
  }
}
