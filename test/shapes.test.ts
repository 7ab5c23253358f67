/**
 * Every Jira answer is checked before use: an answer of the wrong shape is reported as Jira's
 * answer, naming the place it departs ("editmeta.fields.x.allowedValues[0].value is a number"),
 * never as a JavaScript error, for each endpoint the tool reads.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AuthConfig } from '../src/jira/auth.js'
import { checkCredentials } from '../src/jira/check.js'
import { connect } from '../src/jira/connect.js'
import { fetchAccessToken, fetchRequestToken } from '../src/jira/dance.js'
import { JiraError } from '../src/jira/errors.js'
import { deploymentOf, searchIssueKeys } from '../src/jira/search.js'
import { list, number, object, optional, string } from '../src/jira/shape.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import { resolveAccountId } from '../src/jira/users.js'
import { loadPrivateKey } from '../src/oauth/keys.js'
import { CONSUMER_KEY, newAccessToken, oauthInputs, runAction, startSimulator, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

const json = (body: unknown, pathIncludes: string) => ({
  status: 200,
  pathIncludes,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body)
})

/** The editmeta the simulator serves for customfield_10314, with one change. */
function editmetaWith(change: (meta: Record<string, unknown>) => void): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    name: 'Build Result',
    schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10314 },
    allowedValues: [
      { id: '10100', value: 'Build Passed' },
      { id: '10101', value: 'Build Failed' }
    ]
  }
  change(meta)
  return { id: '10001', key: 'CI-1', fields: {}, editmeta: { fields: { customfield_10314: meta } } }
}

describe('the shape checks themselves', () => {
  it('name the first place a value departs, with what it is and what was expected', () => {
    const schema = object({ a: list(object({ b: optional(string) }, 'an item')), 'odd name': optional(number) })
    assert.equal(schema.mismatch({ a: [{ b: 'x' }, { b: 7 }] }, ''), 'a[1].b is a number, expected a string')
    assert.equal(schema.mismatch({ a: [null] }, ''), 'a[0] is null, expected an item')
    assert.equal(schema.mismatch({ a: {} }, ''), 'a is an object, expected a list of items')
    assert.equal(schema.mismatch({ a: [], 'odd name': 'x' }, ''), '["odd name"] is a string, expected a number')
    assert.equal(schema.mismatch([], ''), 'the answer is a list, expected an object')
    assert.equal(schema.mismatch({ a: [] }, ''), undefined)
  })
})

describe("wrong-shaped edit metadata, through the bundled action: reported as Jira's answer, nothing written", () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  const cases: Array<[string, (meta: Record<string, unknown>) => void, string]> = [
    [
      'a number where an option value belongs',
      meta => ((meta.allowedValues as Array<Record<string, unknown>>)[0].value = 42),
      'editmeta.fields.customfield_10314.allowedValues[0].value is a number, expected a string'
    ],
    ['a null option', meta => ((meta.allowedValues as unknown[])[1] = null), 'editmeta.fields.customfield_10314.allowedValues[1] is null, expected an option'],
    [
      'an object for allowedValues',
      meta => (meta.allowedValues = { value: 'Build Passed' }),
      'editmeta.fields.customfield_10314.allowedValues is an object, expected a list of options'
    ],
    [
      'a number for schema.custom',
      meta => ((meta.schema as Record<string, unknown>).custom = 7),
      'editmeta.fields.customfield_10314.schema.custom is a number, expected a string'
    ]
  ]
  for (const [name, change, where] of cases) {
    it(`reports ${name} by its path`, async () => {
      sim.requests.length = 0
      sim.inject(json(editmetaWith(change), '/issue/CI-1'))
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'build passed' }))
      sim.clearInjected()
      assert.equal(run.code, 1)
      assert.equal(run.outputs.result, 'error')
      const expected = `GET ${sim.baseUrl}/rest/api/2/issue/CI-1 answered an unexpected shape: ${where}.`
      assert.ok(run.log.includes(expected), run.log)
      assert.ok(run.summary.includes('answered an unexpected shape'), run.summary)
      assert.doesNotMatch(run.log, /Unexpected failure|is not a function|TypeError/)
      assert.equal(sim.requestsTo('/rest/api/2/issue/CI-1', 'PUT').length, 0)
    })
  }
})

describe('wrong-shaped answers of every endpoint the tool reads, in process', () => {
  let sim: JiraSimulator
  let cloud: JiraSimulator
  let token: string
  let transport: Transport
  let auth: AuthConfig
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
    cloud = await startSimulator({ accessToken: token, deployment: 'Cloud' })
    transport = httpTransport()
    auth = { mode: 'oauth', consumerKey: CONSUMER_KEY, privateKey: loadPrivateKey(testKeys().pkcs8), accessToken: token }
  })
  after(async () => {
    transport.close()
    await sim.close()
    await cloud.close()
  })
  const client = (s: JiraSimulator) => connect({ jiraUrl: s.baseUrl, auth, maxRetries: 0, timeoutSeconds: 10 }, { transport })
  /** Expects a JiraError saying that this endpoint answered an unexpected shape, at this place. */
  const rejectsShape = async (promise: Promise<unknown>, method: string, url: string, where: string): Promise<void> => {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof JiraError, String(error))
      assert.equal(error.reason, `${method} ${url} answered an unexpected shape: ${where}.`)
      assert.equal(error.kind, 'error')
      return true
    })
  }

  it('the field list', async () => {
    sim.inject(
      json(
        [
          { id: 'customfield_1', name: 'A' },
          { id: 2, name: 'B' }
        ],
        '/field'
      )
    )
    await rejectsShape(
      client(sim).json('GET', '/rest/api/2/field', {}, (await import('../src/jira/fields.js')).FIELD_LIST),
      'GET',
      `${sim.baseUrl}/rest/api/2/field`,
      '[1].id is a number, expected a string'
    )
  })

  it("Data Center's search, paged by startAt", async () => {
    sim.inject(json({ startAt: 0, total: '3', issues: [] }, '/search'))
    await rejectsShape(searchIssueKeys(client(sim), 'project = CI', 100), 'GET', `${sim.baseUrl}/rest/api/2/search`, 'total is a string, expected a number')
    sim.inject(json({ startAt: 0, total: 1, issues: { key: 'CI-1' } }, '/search'))
    await rejectsShape(
      searchIssueKeys(client(sim), 'project = CI', 100),
      'GET',
      `${sim.baseUrl}/rest/api/2/search`,
      'issues is an object, expected a list of issues'
    )
  })

  it("Cloud's search, paged by nextPageToken", async () => {
    cloud.inject(json({ issues: [{ key: 'CI-1' }], nextPageToken: 12, isLast: false }, '/search/jql'))
    await rejectsShape(
      searchIssueKeys(client(cloud), 'project = CI', 100),
      'GET',
      `${cloud.baseUrl}/rest/api/3/search/jql`,
      'nextPageToken is a number, expected a string'
    )
  })

  it('serverInfo', async () => {
    sim.inject(json({ deploymentType: ['Cloud'] }, '/serverInfo'))
    await rejectsShape(deploymentOf(client(sim)), 'GET', `${sim.baseUrl}/rest/api/2/serverInfo`, 'deploymentType is a list, expected a string')
  })

  it("Cloud's user search", async () => {
    cloud.inject(json([{ accountId: 'a1', displayName: { text: 'Ada' } }], '/user/search'))
    await rejectsShape(
      resolveAccountId(client(cloud), 'Ada', 'customfield_10322'),
      'GET',
      `${cloud.baseUrl}/rest/api/3/user/search`,
      '[0].displayName is an object, expected a string'
    )
  })

  it('myself, for the credential check', async () => {
    sim.inject(json({ name: 7 }, '/myself'))
    await rejectsShape(
      checkCredentials({ jiraUrl: sim.baseUrl, auth, maxRetries: 0, timeoutSeconds: 10 }, { transport }),
      'GET',
      `${sim.baseUrl}/rest/api/2/myself`,
      'name is a number, expected a string'
    )
  })

  it("the OAuth dance's token answers", async () => {
    const consumer = { jiraUrl: sim.baseUrl, consumerKey: CONSUMER_KEY, privateKey: loadPrivateKey(testKeys().pkcs8), maxRetries: 0, timeoutSeconds: 10 }
    const text = (body: string, pathIncludes: string) => ({ status: 200, pathIncludes, headers: { 'Content-Type': 'text/plain' }, body })
    sim.inject(text('oauth_token=abc;rm%20-rf%20~&oauth_token_secret=s', 'request-token'))
    await assert.rejects(
      fetchRequestToken(consumer, { transport }),
      new RegExp(`^JiraError: POST ${sim.baseUrl}/plugins/servlet/oauth/request-token answered an unexpected shape: oauth_token is not token-shaped`)
    )
    sim.inject(text('oauth_callback_confirmed=true', 'request-token'))
    await assert.rejects(fetchRequestToken(consumer, { transport }), /answered an unexpected shape: oauth_token is missing, expected the request token/)
    sim.inject(text('oauth_token=abc&oauth_expires_in=soon', 'access-token'))
    await assert.rejects(
      fetchAccessToken(consumer, 'request', 'verifier', { transport }),
      new RegExp(`POST ${sim.baseUrl}/plugins/servlet/oauth/access-token answered an unexpected shape: oauth_expires_in is not a whole number of seconds`)
    )
  })
})
