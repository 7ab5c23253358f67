/**
 * The Jiras and networks teams really have: a corporate proxy with issue discovery, Jira
 * Cloud's new search and user pickers, a jira-url without its context path, fork pull requests
 * with no secrets, many issues after a CAPTCHA, and Jira behind a reverse proxy.
 */
import assert from 'node:assert/strict'
import { createHash, createPublicKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as undiciStub from '../src/platform/undici-stub.js'
import { CONSUMER_KEY, newAccessToken, oauthInputs, ROOT, runAction, runCli, startSimulator, testKeys } from './helpers.js'
import { defaultIssues } from './sim/fixtures.js'
import type { JiraSimulator } from './sim/jira.js'
import { startProxy } from './sim/network.js'

const SET = { field: 'customfield_10314', value: 'Build Passed' }
const optionValue = (sim: JiraSimulator, key: string): unknown => (sim.issues.get(key)?.fields.customfield_10314 as { value?: string } | undefined)?.value

/** A workflow run's event in a real GITHUB_EVENT_PATH file, removed by the caller. */
function eventFile(payload: unknown): { env: Record<string, string>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'jbr-event-'))
  writeFileSync(join(dir, 'event.json'), JSON.stringify(payload))
  return { env: { GITHUB_EVENT_PATH: join(dir, 'event.json'), GITHUB_REPOSITORY: 'acme/app' }, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

describe('a corporate proxy with issue discovery', () => {
  it('stands in for every undici export the bundled toolkit imports, and each constructs or answers', () => {
    // Whatever the bundles import from undici must exist in the stand-in, or the bundle breaks
    // only on the machines that set a proxy.
    const sources = ['@actions/http-client/lib/index.js', '@actions/github/lib/internal/utils.js'].map(file =>
      readFileSync(join(ROOT, 'node_modules', file), 'utf8')
    )
    const imported = new Set(
      sources.flatMap(text => [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'undici'/g)].flatMap(m => m[1].split(',').map(name => name.trim())))
    )
    assert.deepEqual([...imported].sort(), ['ProxyAgent', 'fetch'])
    for (const name of imported) assert.equal(typeof (undiciStub as Record<string, unknown>)[name], 'function', name)
    const agent = new undiciStub.ProxyAgent({ uri: 'http://proxy.example:3128', pipelining: 1 })
    assert.equal(agent.options.uri, 'http://proxy.example:3128')
    assert.throws(() => agent.dispatch(), /not bundled/)
  })

  for (const [event, payload] of [
    ['pull_request', { pull_request: { title: 'CI-2: retry the upload', head: { ref: 'feature/ci-3-upload' } } }],
    ['push', { ref: 'refs/heads/main', head_commit: { message: 'CI-4 fix the upload' }, commits: [{ message: 'CI-4 fix the upload' }] }]
  ] as const) {
    it(`finds the issues of a ${event} event and updates them through HTTPS_PROXY`, async () => {
      const token = newAccessToken()
      const sim = await startSimulator({ accessToken: token })
      const proxy = await startProxy()
      const file = eventFile(payload)
      try {
        const run = await runAction(
          { ...oauthInputs(sim, token, SET), 'jira-url': `http://jira.internal.test:${sim.port}/jira` },
          {
            ...file.env,
            GITHUB_EVENT_NAME: event,
            GITHUB_REF: event === 'push' ? 'refs/heads/main' : 'refs/pull/7/merge',
            HTTPS_PROXY: proxy.url,
            HTTP_PROXY: proxy.url,
            NO_PROXY: ''
          }
        )
        assert.equal(run.code, 0, run.log)
        const expected = event === 'push' ? ['CI-4'] : ['CI-2', 'CI-3']
        assert.equal(run.outputs.updated, expected.join(','))
        for (const key of expected) assert.equal(optionValue(sim, key), 'Build Passed')
        assert.ok(proxy.tunnels.length >= 1 && proxy.tunnels.every(t => t === `jira.internal.test:${sim.port}`))
      } finally {
        file.remove()
        await proxy.close()
        await sim.close()
      }
    })
  }
})

describe("Jira Cloud's search and user pickers", () => {
  let sim: JiraSimulator
  const apiToken = newAccessToken()
  const users = [
    { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Ada Lovelace', emailAddress: 'ada@example.com' },
    { accountId: '5b10a2844c20165700ede21g'.replace('g', 'a'), displayName: 'Alex Kim', emailAddress: 'alex.kim@example.com' },
    { accountId: '712020:3f1c2a4e-8b7d-4e2a-9c1b-0a2b3c4d5e6f', displayName: 'Alex Kim', emailAddress: 'alex.k@example.org' }
  ]
  before(async () => {
    sim = await startSimulator({
      deployment: 'Cloud',
      basicUsers: { 'ci@example.com': apiToken },
      cloudUsers: users,
      maxSearchResults: 2,
      issues: defaultIssues(7)
    })
  })
  after(() => sim.close())
  const cloudInputs = (extra: Record<string, string>): Record<string, string> => ({
    'jira-url': sim.baseUrl,
    user: 'ci@example.com',
    'api-token': apiToken,
    'fail-on-error': 'true',
    ...extra
  })

  it('searches with /rest/api/3/search/jql after the old endpoint answers 410, paging by nextPageToken', async () => {
    sim.requests.length = 0
    const run = await runAction(cloudInputs({ jql: 'project = CI', ...SET }))
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.updated, 'CI-1,CI-2,CI-3,CI-4,CI-5,CI-6,CI-7')
    const searches = sim.requests.filter(r => r.path.includes('/search'))
    assert.deepEqual(
      searches.map(r => `${r.path.split('?')[0]} ${r.status}`),
      ['/rest/api/2/search 410', '/rest/api/3/search/jql 200', '/rest/api/3/search/jql 200', '/rest/api/3/search/jql 200', '/rest/api/3/search/jql 200']
    )
    assert.match(searches[2].path, /nextPageToken=2/)
  })

  it('sets a user picker by e-mail address as {"accountId": …}', async () => {
    const run = await runAction(cloudInputs({ issue: 'CI-1', field: 'customfield_10323', value: 'ada@example.com' }))
    assert.equal(run.code, 0, run.log)
    assert.deepEqual(sim.issues.get('CI-1')?.fields.customfield_10323, { accountId: users[0].accountId })
    assert.equal(sim.requestsTo('/rest/api/2/serverInfo').length >= 1, true)
  })

  it('fails with the candidates when a display name is ambiguous, sending no PUT', async () => {
    const puts = sim.requestsTo('/rest/api/2/issue/CI-2', 'PUT').length
    const run = await runAction(cloudInputs({ issue: 'CI-2', field: 'customfield_10323', value: 'Alex Kim' }))
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(
      run.log,
      /2 users of this Jira Cloud match "Alex Kim" for customfield_10323 \(Build Owner\): "Alex Kim" <alex\.kim@example\.com> \(5b10a2844c20165700ede21a\), "Alex Kim" <alex\.k@example\.org> \(712020:/
    )
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-2', 'PUT').length, puts)
  })

  it('keeps {"name": …} on Server and Data Center', async () => {
    const token = newAccessToken()
    const server = await startSimulator({ accessToken: token })
    try {
      const run = await runAction(oauthInputs(server, token, { issue: 'CI-1', field: 'customfield_10323', value: 'jdoe' }))
      assert.equal(run.code, 0, run.log)
      assert.deepEqual(server.issues.get('CI-1')?.fields.customfield_10323, { name: 'jdoe' })
    } finally {
      await server.close()
    }
  })
})

describe('a jira-url without its context path', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token, contextPath: '/jira' })
  })
  after(() => sim.close())
  const rootUrl = (): string => sim.baseUrl.replace(/\/jira$/, '')
  const wrongUrl =
    /is not Jira's REST API: it answered 404 with an HTML page titled "HTTP Status 404 – Not Found", not Jira's JSON\. Most often (input 'jira-url'|--jira-url \(or JIRA_URL\)) lacks Jira's context path \(such as \/jira\)/

  it('says jira-url is wrong, not the issue key, and stops after the first issue', async () => {
    const run = await runAction({ ...oauthInputs(sim, token, { issue: 'CI-1 CI-2', ...SET }), 'jira-url': rootUrl() })
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(run.log, wrongUrl)
    assert.doesNotMatch(run.log, /Check the issue key/)
    assert.match(run.log, /::error title=jira-url is not Jira \(CI-1\)::/)
    assert.match(run.log, /not attempted .*: CI-2\./)
  })

  it('says so from check and from request-token, which name no issue', async () => {
    const env = { JIRA_CONSUMER_KEY: CONSUMER_KEY, JIRA_PRIVATE_KEY: testKeys().pkcs8, JIRA_ACCESS_TOKEN: token }
    for (const command of ['check', 'request-token']) {
      const run = await runCli([command, '--jira-url', rootUrl()], env)
      assert.equal(run.code, 1, command)
      assert.match(run.stderr, wrongUrl, command)
      assert.doesNotMatch(run.stderr, /issue key/, command)
    }
  })

  it("gives the base URL Jira's own page reveals through its login link", async () => {
    sim.inject({
      status: 404,
      headers: { 'Content-Type': 'text/html' },
      body: '<html><head><title>Oops, you\'ve found a dead link.</title></head><body><a href="/jira/login.jsp?os_destination=x">Log in</a></body></html>'
    })
    const run = await runAction({ ...oauthInputs(sim, token, { issue: 'CI-1', ...SET }), 'jira-url': `${rootUrl()}/jira2` })
    assert.equal(run.outputs.result, 'invalid')
    assert.match(run.log, new RegExp(`The page names Jira at ${rootUrl().replace(/[.:/]/g, '\\$&')}/jira: set input 'jira-url' to that\\.`))
  })
})

describe('pull requests from forks and Dependabot, which get no secrets', () => {
  it('stays green with fail-on-error false, result no-credentials, and a summary that says why', async () => {
    const sim = await startSimulator()
    try {
      const run = await runAction({
        'jira-url': sim.baseUrl,
        issue: 'CI-1',
        ...SET,
        'fail-on-error': 'false',
        'consumer-key': '',
        'private-key': '',
        'access-token': ''
      })
      assert.equal(run.code, 0, run.log)
      assert.equal(run.outputs.result, 'no-credentials')
      assert.match(run.log, /::warning title=No Jira credentials::No credentials are configured .*so nothing was sent to Jira\. .*pull requests from forks/)
      assert.match(run.summary, /### Jira build result: no-credentials\n\nNo credentials are configured/)
      assert.equal(sim.requests.length, 0)

      const red = await runAction({ 'jira-url': sim.baseUrl, issue: 'CI-1', ...SET })
      assert.equal(red.code, 1)
      assert.equal(red.outputs.result, 'no-credentials')
      assert.equal(sim.requests.length, 0)
    } finally {
      await sim.close()
    }
  })

  it('keeps a present but malformed credential a hard error, whatever fail-on-error says', async () => {
    const run = await runAction({
      'jira-url': 'https://jira.example.com',
      'personal-access-token': 'abc\ndef',
      issue: 'CI-1',
      ...SET,
      'fail-on-error': 'false'
    })
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(run.log, /input 'personal-access-token': holds a line break, a space or a character outside ASCII/)
  })
})

describe('many issues after a CAPTCHA', () => {
  it("keeps the annotations under GitHub's 10 per step, the cause and the closing line among them", async () => {
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token, issues: defaultIssues(12) })
    sim.mode = 'captcha'
    try {
      const keys = Array.from({ length: 12 }, (_, i) => `CI-${i + 1}`).join(' ')
      const run = await runAction(oauthInputs(sim, token, { issue: keys, ...SET }))
      const errors = run.log.split('\n').filter(line => line.startsWith('::error'))
      assert.ok(errors.length <= 10, errors.join('\n'))
      assert.match(errors[0], /CAPTCHA/)
      assert.match(errors.at(-1) ?? '', /^::error::result=captcha: 12 of 12 issue\(s\) not updated$/)
      assert.match(run.log, /11 issue\(s\) not attempted .*: CI-2, CI-3, CI-4, CI-5, CI-6, CI-7, CI-8, CI-9, CI-10, CI-11, CI-12\./)
      assert.equal(sim.requests.length, 1)
      // The field as the user named it, and the change attempted on the failed rows.
      assert.match(run.summary, /\| customfield_10314 \| = Build Passed \| ❌ failed: Jira (asks for a CAPTCHA|locked)/)
      assert.match(run.summary, /\[CI-2\][^|]*\| customfield_10314 \| = Build Passed \| ⏭️ skipped: not attempted after an earlier request failed/)
    } finally {
      await sim.close()
    }
  })

  it('names the field as the user did in the summary', async () => {
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token })
    try {
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1 CI-404', field: 'Build Result', value: 'Build Passed' }))
      assert.match(run.summary, /\| Build Result \(customfield_10314\) \| = Build Passed \| ✅ set \|/)
      assert.match(run.summary, /CI-404\]\([^)]*\) \| Build Result \(customfield_10314\) \| = Build Passed \| ❌ failed: Jira answered 404 Not Found/)
    } finally {
      await sim.close()
    }
  })
})

describe('signature_invalid, pinpointed through a reverse proxy', () => {
  const run = async (simOptions: Parameters<typeof startSimulator>[0], privateKey = testKeys().pkcs8) => {
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token, ...simOptions })
    try {
      return await runCli(['check', '--jira-url', sim.baseUrl], { JIRA_CONSUMER_KEY: CONSUMER_KEY, JIRA_PRIVATE_KEY: privateKey, JIRA_ACCESS_TOKEN: token })
    } finally {
      await sim.close()
    }
  }

  it('names the URL Jira sees and the jira-url to set, when a reverse proxy stands between', async () => {
    const result = await run({ publicUrl: 'https://jira.example.com/jira' })
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /oauth_problem=signature_invalid\. Jira signs over https:\/\/jira\.example\.com\/jira\/rest\/api\/2\/myself, but this request was signed for http:\/\/127\.0\.0\.1:\d+\/jira\/rest\/api\/2\/myself: a reverse proxy or another host name stands between\. Set --jira-url \(or JIRA_URL\) to https:\/\/jira\.example\.com\/jira, the URL Jira knows itself by\./
    )
  })

  it('names the parameter that differs when something between changes the query', async () => {
    const result = await run({ proxyAddsQuery: { os_authType: 'any' } })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /Jira signs parameter os_authType as "any", but this request signed it as absent: something between changes the query or body/)
  })

  it('says the key does not match, with its fingerprint, when the base strings are the same', async () => {
    const other = (await import('node:crypto'))
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const result = await run({}, other)
    const fingerprint = createHash('sha256')
      .update(createPublicKey(other).export({ type: 'spki', format: 'der' }))
      .digest('hex')
    assert.match(
      result.stderr,
      new RegExp(
        `Jira computed the same base string, so the private key does not match the public key on the application link, for certain\\. The public key that belongs to the configured private key has SHA-256 fingerprint ${fingerprint}`
      )
    )
  })
})
