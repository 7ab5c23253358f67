/**
 * Service accounts (OAuth 2.0 client credentials) and Cloud's API gateway, in process: a real
 * HTTP transport on loopback against the simulator, whose clock is the client's fake clock, so
 * an access token ages without anyone waiting.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { ClientCredentialsConfig } from '../src/jira/auth.js'
import { checkCredentials } from '../src/jira/check.js'
import { connect, type Endpoint } from '../src/jira/connect.js'
import { JiraError } from '../src/jira/errors.js'
import { Redactor } from '../src/jira/redact.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import type { Log } from '../src/report/log.js'
import { summaryMarkdown } from '../src/report/summary.js'
import { updateIssues, type UpdateOptions } from '../src/update.js'
import { FakeClock } from './helpers.js'
import { JiraSimulator } from './sim/jira.js'

const CLIENT_ID = 'ci-service-account'
const CLIENT_SECRET = 'cs-4f1d2e8a9b7c6d5e-not-a-real-secret'
const CLOUD_ID = '0b7c1f4e-4f2a-4b8e-9d2c-3a1b5c6d7e8f'

const logOf = (lines: string[]): Log => ({ debug() {}, info: m => lines.push(m), warning: m => lines.push(m), error: m => lines.push(m) })

function bearerOf(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
}

describe('a Data Center service account (client credentials)', () => {
  let sim: JiraSimulator
  let transport: Transport
  let clock: FakeClock
  before(async () => {
    sim = await JiraSimulator.start({
      serviceAccounts: { [CLIENT_ID]: { secret: CLIENT_SECRET, user: 'svc-build-bot', scopes: ['READ', 'WRITE'] } },
      tokenLifetimeSeconds: 600,
      clock: () => clock.seconds()
    })
    transport = httpTransport()
  })
  after(async () => {
    transport.close()
    await sim.close()
  })
  beforeEach(() => {
    clock = new FakeClock()
    sim.requests.length = 0
    sim.tokenRequests = 0
    sim.clearInjected()
  })

  const auth = (secret = CLIENT_SECRET, scope?: string): ClientCredentialsConfig => ({
    mode: 'client-credentials',
    clientId: CLIENT_ID,
    clientSecret: secret,
    tokenUrl: `${sim.baseUrl}/rest/oauth2/latest/token`,
    ...(scope ? { scope } : {})
  })
  const endpoint = (secret?: string, scope?: string): Endpoint => ({ jiraUrl: sim.baseUrl, auth: auth(secret, scope), maxRetries: 3, timeoutSeconds: 600 })
  const options = (keys: string[], secret?: string): UpdateOptions => ({
    ...endpoint(secret),
    issues: { by: 'keys', keys },
    changes: [{ origin: "input 'field'", field: 'customfield_10314', operation: 'set', value: 'Build Passed' }],
    notifyUsers: true,
    concurrency: 8,
    failOnError: true,
    dryRun: false,
    warnings: [],
    maxIssues: 100
  })
  const restCalls = () => sim.requests.filter(r => r.path.startsWith('/rest/api/'))

  it('asks for one token and shares it with every concurrent request', async () => {
    const masked: string[] = []
    const redactor = new Redactor([CLIENT_SECRET])
    const client = connect(endpoint(), { transport, retry: clock.policy, redactor, mask: form => masked.push(form) })
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.json<{ name: string }>('GET', '/rest/api/2/myself')))
    assert.deepEqual(
      answers.map(a => a?.name),
      Array(8).fill('svc-build-bot')
    )
    assert.equal(sim.tokenRequests, 1)
    const tokens = new Set(restCalls().map(r => bearerOf(r.authorization)))
    assert.equal(tokens.size, 1)
    const [token] = [...tokens]
    assert.ok(token && sim.issuedTokens.has(token))
    // The token is a secret from the moment it arrives: masked for the runner and redacted.
    assert.ok(masked.includes(token))
    assert.equal(redactor.redact(`echo ${token}`), 'echo ***')
    // The token request carried the credential as a form, as RFC 6749 §4.4 has it.
    const [post] = sim.requestsTo('/rest/oauth2/latest/token', 'POST')
    assert.equal(post.authorization, undefined)
    assert.deepEqual(Object.fromEntries(new URLSearchParams(post.body)), {
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET
    })
  })

  it("asks for a new token before sending once the old one's expires_in has run out on the clock", async () => {
    const client = connect(endpoint(), { transport, retry: clock.policy })
    await client.json('GET', '/rest/api/2/myself')
    clock.ms += 570_000 // 9.5 of its 10 minutes: within the last tenth, so it is renewed first
    await client.json('GET', '/rest/api/2/myself')
    assert.equal(sim.tokenRequests, 2)
    assert.deepEqual(
      restCalls().map(r => r.status),
      [200, 200]
    )
    assert.notEqual(bearerOf(restCalls()[0].authorization), bearerOf(restCalls()[1].authorization))
  })

  it('takes a 401 invalid_token as an expired token: one new token for all, and each failed request sent again', async () => {
    const client = connect(endpoint(), { transport, retry: clock.policy })
    await client.json('GET', '/rest/api/2/myself')
    sim.expireTokens()
    const answers = await Promise.all(Array.from({ length: 4 }, () => client.json<{ name: string }>('GET', '/rest/api/2/myself')))
    assert.deepEqual(
      answers.map(a => a?.name),
      Array(4).fill('svc-build-bot')
    )
    assert.equal(sim.tokenRequests, 2)
    const statuses = restCalls().map(r => r.status)
    assert.equal(statuses.filter(s => s === 401).length, 4)
    assert.equal(statuses.filter(s => s === 200).length, 5)
    // No waiting for it: a new token is not a retry of a transient failure.
    assert.deepEqual(clock.waits, [])
  })

  it('updates issues as the service account and names it in check', async () => {
    const report = await updateIssues(options(['CI-1', 'CI-2', 'CI-3']), { transport, log: logOf([]), retry: clock.policy })
    assert.equal(report.result, 'updated')
    assert.deepEqual(report.updated, ['CI-1', 'CI-2', 'CI-3'])
    assert.equal(sim.tokenRequests, 1)
    const user = await checkCredentials(endpoint(), { transport, retry: clock.policy })
    assert.equal(user.name, 'svc-build-bot')
    assert.equal(user.apiUrl, undefined)
  })

  it('stops at a refused client (invalid_client), names the inputs to check, and sends nothing more', async () => {
    const report = await updateIssues(options(['CI-1', 'CI-2', 'CI-3'], 'a-rotated-secret-00000'), { transport, log: logOf([]), retry: clock.policy })
    assert.equal(report.result, 'unauthorized')
    assert.deepEqual(
      report.results.map(r => r.outcome),
      ['unauthorized', 'skipped', 'skipped']
    )
    const message = report.results[0].error?.message ?? ''
    assert.match(message, /refused the client \(invalid_client: Client authentication failed\)/)
    assert.match(message, /Check input 'client-id' and input 'client-secret'/)
    assert.doesNotMatch(message, /a-rotated-secret/)
    assert.deepEqual(
      sim.requests.map(r => `${r.method} ${r.path} ${r.status}`),
      ['POST /rest/oauth2/latest/token 401']
    )
  })

  it('names the scope input when the endpoint refuses the scope', async () => {
    const client = connect(endpoint(undefined, 'ADMIN'), { transport, retry: clock.policy })
    await assert.rejects(
      client.json('GET', '/rest/api/2/myself'),
      (error: unknown) =>
        error instanceof JiraError && error.kind === 'unauthorized' && /invalid_scope/.test(error.reason) && /input 'scope'/.test(error.remedy)
    )
  })

  it('says a URL is no token endpoint, naming token-url', async () => {
    const client = connect({ ...endpoint(), auth: { ...auth(), tokenUrl: `${sim.baseUrl}/rest/oauth2/nothing-here` } }, { transport, retry: clock.policy })
    await assert.rejects(
      client.json('GET', '/rest/api/2/myself'),
      (error: unknown) =>
        error instanceof JiraError &&
        error.kind === 'wrong-url' &&
        /is not an OAuth 2\.0 token endpoint/.test(error.reason) &&
        /input 'token-url'/.test(error.remedy)
    )
  })

  it('names token-url when the token endpoint cannot be reached', async () => {
    const closed = await JiraSimulator.start()
    const unreachable = `${closed.baseUrl}/rest/oauth2/latest/token`
    await closed.close()
    const client = connect({ ...endpoint(), auth: { ...auth(), tokenUrl: unreachable } }, { transport, retry: { ...clock.policy, maxRetries: 0 } })
    await assert.rejects(
      client.json('GET', '/rest/api/2/myself'),
      (error: unknown) =>
        error instanceof JiraError && error.kind === 'network' && /Check input 'token-url', and that this machine can reach/.test(error.remedy)
    )
    assert.equal(restCalls().length, 0)
  })

  it('never quotes a token answer whose access token is malformed, and sends no REST call', async () => {
    const malformed = 'svc.Tk3n~segment with a space 0042'
    sim.inject({ status: 200, pathIncludes: '/rest/oauth2/', body: JSON.stringify({ access_token: malformed, token_type: 'bearer', expires_in: 3600 }) })
    const client = connect(endpoint(), { transport, retry: clock.policy })
    const error = await client.json('GET', '/rest/api/2/myself').then(
      () => assert.fail('expected a refusal'),
      (thrown: unknown) => thrown as JiraError
    )
    assert.match(error.reason, /answered an access token that is not one/)
    for (const run of ['Tk3n~segment', 'with a space', 'segment with']) assert.ok(!error.message.includes(run), `"${run}" shown in: ${error.message}`)
    assert.equal(restCalls().length, 0)
  })

  it('redacts an access token that a proxy echoes back', async () => {
    const redactor = new Redactor([CLIENT_SECRET])
    const client = connect(endpoint(), { transport, retry: clock.policy, redactor })
    sim.inject({ status: 400, echo: true, pathIncludes: '/rest/api/' })
    const error = await client.json('GET', '/rest/api/2/myself').then(
      () => assert.fail('expected a refusal'),
      (thrown: unknown) => thrown as JiraError
    )
    const [token] = sim.issuedTokens.keys()
    assert.ok(token)
    assert.doesNotMatch(error.message, new RegExp(token.replace(/[-_]/g, '.')))
  })
})

describe('a Data Center with basic auth switched off', () => {
  for (const [style, disabled] of [
    ['a 401 with no Seraph reason', 'bare-401'],
    ['the documented 403', true]
  ] as const) {
    it(`says so for ${style}, and offers a PAT or a service account`, async () => {
      const sim = await JiraSimulator.start({ basicUsers: { 'ci-bot': 'right-password-0001' }, basicAuthDisabled: disabled })
      const transport = httpTransport()
      try {
        const client = connect(
          { jiraUrl: sim.baseUrl, auth: { mode: 'basic', user: 'ci-bot', apiToken: 'right-password-0001' }, maxRetries: 3, timeoutSeconds: 60 },
          { transport }
        )
        await assert.rejects(client.json('GET', '/rest/api/2/myself'), (error: unknown) => {
          assert.ok(error instanceof JiraError)
          assert.equal(error.kind, 'unauthorized')
          assert.match(error.reason, /[Bb]asic auth(entication)? (is most likely )?disabled/)
          assert.match(error.remedy, /personal access token .* or a service account/)
          return true
        })
        assert.equal(sim.requests.length, 1)
      } finally {
        transport.close()
        await sim.close()
      }
    })
  }
})

describe("Jira Cloud through Atlassian's API gateway", () => {
  let sim: JiraSimulator
  let transport: Transport
  let clock: FakeClock
  before(async () => {
    sim = await JiraSimulator.start({
      deployment: 'Cloud',
      contextPath: '',
      cloudId: CLOUD_ID,
      serviceAccounts: { [CLIENT_ID]: { secret: CLIENT_SECRET, user: 'svc-build-bot@serviceaccount.atlassian.com' } },
      basicUsers: { 'ci@example.com': 'classic-api-token-0001' },
      scopedApiTokens: { 'scoped@example.com': 'scoped-api-token-0002' },
      clock: () => clock.seconds()
    })
    transport = httpTransport()
  })
  after(async () => {
    transport.close()
    await sim.close()
  })
  beforeEach(() => {
    clock = new FakeClock()
    sim.requests.length = 0
    sim.tokenRequests = 0
  })

  const origin = (): string => `http://127.0.0.1:${sim.port}`
  const serviceAccount = (): Endpoint => ({
    jiraUrl: sim.baseUrl,
    cloud: true,
    auth: { mode: 'client-credentials', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: `${origin()}/oauth/token`, audience: 'api.atlassian.com' },
    maxRetries: 3,
    timeoutSeconds: 600
  })
  const basic = (user: string, apiToken: string, apiUrl?: string): Endpoint => ({
    jiraUrl: sim.baseUrl,
    apiUrl,
    cloud: true,
    auth: { mode: 'basic', user, apiToken },
    maxRetries: 3,
    timeoutSeconds: 600
  })

  it("derives the gateway from the site's tenant_info for a service account, and keeps jira-url for links", async () => {
    const connection = { transport, retry: clock.policy, gatewayOrigin: origin() }
    const options: UpdateOptions = {
      ...serviceAccount(),
      issues: { by: 'keys', keys: ['CI-1', 'CI-2'] },
      changes: [{ origin: "input 'field'", field: 'customfield_10314', operation: 'set', value: 'Build Passed' }],
      notifyUsers: true,
      concurrency: 4,
      failOnError: true,
      dryRun: false,
      warnings: [],
      maxIssues: 100
    }
    const report = await updateIssues(options, { ...connection, log: logOf([]) })
    assert.equal(report.result, 'updated')
    const rest = sim.requests.filter(r => r.path.startsWith('/rest/'))
    assert.ok(rest.length >= 4)
    assert.ok(rest.every(r => r.gateway))
    assert.equal(sim.requestsTo('/_edge/tenant_info').length, 1)
    assert.equal(sim.tokenRequests, 1)
    // The Cloud token endpoint was asked for the api.atlassian.com audience.
    assert.equal(new URLSearchParams(sim.requestsTo('/oauth/token')[0].body).get('audience'), 'api.atlassian.com')
    assert.match(summaryMarkdown(report, options.jiraUrl), new RegExp(`\\(${sim.baseUrl}/browse/CI-1\\)`))
    const user = await checkCredentials(serviceAccount(), connection)
    assert.equal(user.name, 'svc-build-bot@serviceaccount.atlassian.com')
    assert.equal(user.apiUrl, `${origin()}/ex/jira/${CLOUD_ID}`)
  })

  it('sends a classic API token to the site itself', async () => {
    const client = connect(basic('ci@example.com', 'classic-api-token-0001'), { transport, retry: clock.policy, gatewayOrigin: origin() })
    assert.equal((await client.json<{ name: string }>('GET', '/rest/api/2/myself'))?.name, 'ci@example.com')
    assert.ok(sim.requests.every(r => !r.gateway))
  })

  it('takes a scoped API token refused at the site through the gateway, once, and says to set api-url', async () => {
    const said: string[] = []
    const client = connect(basic('scoped@example.com', 'scoped-api-token-0002'), {
      transport,
      retry: { ...clock.policy, onRetry: m => said.push(m) },
      gatewayOrigin: origin()
    })
    assert.equal((await client.json<{ name: string }>('GET', '/rest/api/2/myself'))?.name, 'scoped@example.com')
    assert.equal((await client.json<{ name: string }>('GET', '/rest/api/2/myself'))?.name, 'scoped@example.com')
    assert.deepEqual(
      sim.requests.map(r => `${r.gateway ? 'gateway' : 'site'} ${r.path} ${r.status}`),
      ['site /rest/api/2/myself 401', 'site /_edge/tenant_info 200', 'gateway /rest/api/2/myself 200', 'gateway /rest/api/2/myself 200']
    )
    assert.match(said.join('\n'), new RegExp(`trying Cloud's API gateway ${origin()}/ex/jira/${CLOUD_ID}.*Set input 'api-url' to it`))
  })

  it('names both likely causes when an API token is refused at the site and at the gateway', async () => {
    const client = connect(basic('ci@example.com', 'expired-api-token-0003'), { transport, retry: clock.policy, gatewayOrigin: origin() })
    await assert.rejects(client.json('GET', '/rest/api/2/myself'), (error: unknown) => {
      assert.ok(error instanceof JiraError)
      assert.equal(error.kind, 'unauthorized')
      assert.match(error.message, /the user and API token \(basic auth\)/)
      assert.match(error.message, /the token is scoped \(Cloud's API gateway refused it too/)
      assert.match(error.message, /expired: API tokens created since December 2024 expire within a year/)
      assert.doesNotMatch(error.message, /For OAuth/)
      return true
    })
  })

  it('goes straight to an api-url given, and never asks tenant_info', async () => {
    const client = connect(basic('scoped@example.com', 'scoped-api-token-0002', `${origin()}/ex/jira/${CLOUD_ID}`), { transport, retry: clock.policy })
    await client.json('GET', '/rest/api/2/myself')
    assert.deepEqual(
      sim.requests.map(r => `${r.gateway ? 'gateway' : 'site'} ${r.status}`),
      ['gateway 200']
    )
  })
})
