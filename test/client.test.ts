/**
 * The client's retry policy and the update core, in process: a real HTTP transport on loopback
 * against the simulator, and a fake clock whose sleep records each wait and returns at once. No
 * test here waits in real time for a backoff or a Retry-After.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AuthConfig } from '../src/jira/auth.js'
import type { RetryPolicy } from '../src/jira/client.js'
import { connect } from '../src/jira/connect.js'
import { JiraError } from '../src/jira/errors.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import { loadPrivateKey } from '../src/oauth/keys.js'
import type { Log } from '../src/report/log.js'
import { summaryMarkdown, escapeMarkdown } from '../src/report/summary.js'
import { updateIssues, type UpdateOptions } from '../src/update.js'
import { CONSUMER_KEY, newAccessToken, startSimulator, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

/** A clock that starts at a fixed instant and moves only when the client sleeps. */
function fakeClock(maxRetries = 3, timeoutSeconds = 60): { policy: RetryPolicy; waits: number[] } {
  let now = Date.parse('2026-11-24T10:00:00Z')
  const waits: number[] = []
  const policy: RetryPolicy = {
    maxRetries,
    deadline: now + timeoutSeconds * 1000,
    now: () => now,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(new Error('stopped'))
      waits.push(ms)
      now += ms
      return Promise.resolve()
    },
    random: () => 0.5
  }
  return { policy, waits }
}

const quiet: Log = { debug() {}, info() {}, warning() {}, error() {} }

describe("the client's retries, on a fake clock", () => {
  let sim: JiraSimulator
  let token: string
  let transport: Transport
  let auth: AuthConfig
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
    transport = httpTransport()
    auth = { mode: 'oauth', consumerKey: CONSUMER_KEY, privateKey: loadPrivateKey(testKeys().pkcs8), accessToken: token }
  })
  after(async () => {
    transport.close()
    await sim.close()
  })

  const client = (policy: RetryPolicy) =>
    connect({ jiraUrl: sim.baseUrl, auth, maxRetries: policy.maxRetries, timeoutSeconds: 60 }, { transport, retry: policy })
  const seen = (): string[] => sim.requests.map(r => `${r.method} ${r.status}`)
  const fresh = (): void => {
    sim.requests.length = 0
    sim.clearInjected()
  }

  it('waits out a 429 for exactly its Retry-After, then succeeds', async () => {
    fresh()
    sim.inject({ status: 429, headers: { 'Retry-After': '7', 'X-RateLimit-Remaining': '0' } })
    const { policy, waits } = fakeClock()
    const myself = await client(policy).json<{ name: string }>('GET', '/rest/api/2/myself')
    assert.equal(myself?.name, 'ci-bot')
    assert.deepEqual(waits, [7000])
    assert.deepEqual(seen(), ['GET 429', 'GET 200'])
  })

  it("waits until Jira Cloud's X-RateLimit-Reset", async () => {
    fresh()
    sim.inject({ status: 429, headers: { 'X-RateLimit-Reset': '2026-11-24T10:00:03Z' } })
    const { policy, waits } = fakeClock()
    await client(policy).json('GET', '/rest/api/2/myself')
    assert.deepEqual(waits, [3000])
  })

  it('backs off exponentially with equal jitter from a 503, signing each attempt afresh', async () => {
    fresh()
    sim.inject({ status: 503 }, { status: 503 })
    const { policy, waits } = fakeClock()
    await client(policy).json('GET', '/rest/api/2/myself')
    // Half the ceiling plus half of it times random (0.5): 500 ms, then 1000 ms ceilings.
    assert.deepEqual(waits, [375, 750])
    assert.deepEqual(seen(), ['GET 503', 'GET 503', 'GET 200'])
    assert.equal(new Set(sim.requests.map(r => r.authorization)).size, 3)
  })

  for (const [what, fault] of [
    ['a reset before any answer', { status: 0, reset: true }],
    ['a reset in the middle of the body', { status: 200, cut: 'reset' as const, body: '{"name": ' }],
    ['a FIN before Content-Length is reached', { status: 200, cut: 'fin' as const, body: '{"name": ' }]
  ] as const) {
    it(`retries after ${what}`, async () => {
      fresh()
      sim.inject(fault)
      const { policy, waits } = fakeClock()
      const myself = await client(policy).json<{ name: string }>('GET', '/rest/api/2/myself')
      assert.equal(myself?.name, 'ci-bot')
      assert.deepEqual(waits, [375])
    })
  }

  it('gives up after max-retries with what Jira answered last', async () => {
    fresh()
    sim.inject(...Array.from({ length: 5 }, () => ({ status: 502 })))
    const { policy, waits } = fakeClock(2)
    await assert.rejects(
      client(policy).json('GET', '/rest/api/2/myself'),
      (error: unknown) => error instanceof JiraError && /Jira answered HTTP 502/.test(error.message)
    )
    assert.deepEqual(waits, [375, 750])
    assert.deepEqual(seen(), ['GET 502', 'GET 502', 'GET 502'])
  })

  it("does not wait past the run's time limit for a Retry-After", async () => {
    fresh()
    sim.inject({ status: 503, headers: { 'Retry-After': '120' } })
    const { policy, waits } = fakeClock(3, 60)
    await assert.rejects(client(policy).json('GET', '/rest/api/2/myself'), /Jira answered HTTP 503/)
    assert.deepEqual(waits, [])
  })
})

describe('the update core, in process', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  const options = (keys: string[], extra: Partial<UpdateOptions> = {}): UpdateOptions => ({
    jiraUrl: sim.baseUrl,
    auth: { mode: 'oauth', consumerKey: CONSUMER_KEY, privateKey: loadPrivateKey(testKeys().pkcs8), accessToken: token },
    maxRetries: 3,
    timeoutSeconds: 60,
    issues: { by: 'keys', keys },
    field: 'customfield_10314',
    value: 'Build Passed',
    notifyUsers: true,
    concurrency: 2,
    maxIssues: 100,
    failOnError: true,
    dryRun: false,
    warnings: [],
    ...extra
  })

  it('stops a retry that is waiting once another issue meets a CAPTCHA, and sends it no more', async () => {
    sim.requests.length = 0
    // CI-1 succeeds alone; then CI-3 waits out a 503 while CI-2 is refused with a CAPTCHA.
    sim.inject(
      { status: 503, pathIncludes: 'CI-3', headers: { 'Retry-After': '30' } },
      {
        status: 403,
        pathIncludes: 'CI-2',
        delayMs: 50,
        headers: { 'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED', 'X-Authentication-Denied-Reason': 'CAPTCHA_CHALLENGE; login-url=http://x/login.jsp' }
      }
    )
    const waiting: number[] = []
    // A sleep that lasts until the run stops it: the halt must reach it.
    const policy: RetryPolicy = {
      ...fakeClock().policy,
      sleep: (ms, signal) =>
        new Promise((_, reject) => {
          waiting.push(ms)
          signal?.addEventListener('abort', () => reject(new Error('stopped')), { once: true })
        })
    }
    const transport = httpTransport()
    try {
      const report = await updateIssues(options(['CI-1', 'CI-2', 'CI-3']), { transport, log: quiet, retry: policy })
      assert.equal(report.result, 'captcha')
      assert.deepEqual(
        report.results.map(r => `${r.issueKey} ${r.outcome}`),
        ['CI-1 updated', 'CI-2 captcha', 'CI-3 skipped']
      )
      assert.deepEqual(waiting, [30_000])
      assert.deepEqual(
        sim.requestsTo('/rest/api/2/issue/CI-3').map(r => r.status),
        [503]
      )
    } finally {
      transport.close()
    }
  })

  it('reports every issue cancelled from outside that had not finished', async () => {
    const cancel = new AbortController()
    cancel.abort(new Error('cancelled'))
    const transport = httpTransport()
    try {
      const report = await updateIssues(options(['CI-4', 'CI-5']), { transport, log: quiet, signal: cancel.signal, retry: fakeClock().policy })
      assert.equal(report.result, 'cancelled')
      assert.deepEqual(
        report.results.map(r => r.outcome),
        ['cancelled', 'cancelled']
      )
    } finally {
      transport.close()
    }
  })
})

describe('the job summary', () => {
  it('escapes Markdown and HTML in every text that came from outside', () => {
    assert.equal(
      escapeMarkdown('a|b <img> [x](y) `c` *d* _e_ customfield_10314\nnext'),
      'a\\|b &lt;img&gt; \\[x\\](y) \\`c\\` \\*d\\* \\_e\\_ customfield_10314 next'
    )
  })

  it('names the field as the user did and shows the value attempted on failed rows', () => {
    const error = new JiraError('not-found', 'Jira answered 404 Not Found: Issue Does Not Exist.', 'Check the issue key.', { issueKey: 'CI-9' })
    const markdown = summaryMarkdown(
      {
        results: [
          { issueKey: 'CI-1', outcome: 'updated', fields: { customfield_10314: { value: 'Build Passed' } } },
          { issueKey: 'CI-9', outcome: 'not-found', error }
        ],
        updated: ['CI-1'],
        unchanged: [],
        failed: ['CI-9'],
        result: 'not-found',
        field: 'Build Result (customfield_10314)',
        value: 'Build Passed'
      },
      'https://jira.example.com'
    )
    assert.match(markdown, /\| \[CI-1\]\(https:\/\/jira\.example\.com\/browse\/CI-1\) \| Build Result \(customfield_10314\) \| Build Passed \| ✅ updated \|/)
    assert.match(markdown, /\| \[CI-9\]\([^)]+\) \| Build Result \(customfield_10314\) \| Build Passed \(attempted\) \| ❌ not-found \|/)
    assert.match(markdown, /- \*\*CI-9\*\* \(not-found\): Jira answered 404 Not Found: Issue Does Not Exist\. Check the issue key\./)
  })
})
