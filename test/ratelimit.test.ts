/**
 * Rate limits met, not fought: the limiter on a fake clock, and the update core against a
 * simulator whose token bucket reads the same fake clock, so nothing waits in real time.
 * How fast and how few 429s is measured in the benchmark, not here.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { RateLimiter } from '../src/jira/limiter.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import type { Log } from '../src/report/log.js'
import { updateIssues, type UpdateOptions } from '../src/update.js'
import { defaultIssues } from './sim/fixtures.js'
import { FakeClock } from './helpers.js'
import { JiraSimulator, type SimRateLimit } from './sim/jira.js'

describe('the rate limiter', () => {
  it('halves the requests in flight once for a burst of 429s, and waits until the time named', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(clock.policy, 8)
    const slots = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()))
    // All eight were in flight when the first 429 came: one halving, not eight.
    for (const slot of slots.slice(0, 3)) limiter.limited(slot, clock.ms + 2000)
    for (const slot of slots.slice(3)) limiter.release(slot)
    assert.equal(limiter.stats.limit, 4)
    assert.equal(limiter.stats.limited, 3)
    await limiter.acquire()
    assert.equal(clock.ms, Date.parse('2026-12-01T10:00:02Z'))
  })

  it('lets no more than the lowered limit go at once', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(clock.policy, 4)
    const first = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()))
    limiter.limited(first[0], clock.ms)
    assert.equal(limiter.stats.limit, 2)
    // Three still hold slots: a fourth waits until two are given back.
    let sent = false
    const waiting = limiter.acquire().then(() => (sent = true))
    limiter.release(first[1])
    await Promise.resolve()
    assert.equal(sent, false)
    limiter.release(first[2])
    limiter.release(first[3])
    await waiting
    assert.equal(sent, true)
  })

  it('raises the limit and narrows the spacing slowly after answers without a 429', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(clock.policy, 8)
    const slots = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()))
    limiter.limited(slots[0], clock.ms + 100)
    for (const slot of slots.slice(1)) limiter.release(slot)
    const lowered = limiter.stats
    assert.equal(lowered.limit, 2)
    assert.ok(lowered.spacingMs > 0)
    for (let i = 0; i < 7; i++) limiter.release(await limiter.acquire())
    // Three answers before and seven after make ten: one step up, not more.
    assert.equal(limiter.stats.limit, 3)
    assert.ok(limiter.stats.spacingMs < lowered.spacingMs)
  })
})

describe('updating many issues against a rate limit', () => {
  let transport: Transport
  before(() => (transport = httpTransport()))
  after(() => transport.close())

  const quiet: Log = { debug() {}, info() {}, warning() {}, error() {} }
  const keys = Array.from({ length: 20 }, (_, i) => `CI-${i + 1}`)

  for (const style of ['reset', 'retry-after'] as const) {
    it(`writes every issue, honouring ${style === 'reset' ? 'X-RateLimit-Reset' : 'Retry-After'}, and sends no faster than the limit`, async () => {
      const clock = new FakeClock()
      const rateLimit: SimRateLimit = { perSecond: 5, burst: 5, style }
      const sim = await JiraSimulator.start({ personalAccessTokens: { pat: 'ci-bot' }, issues: defaultIssues(20), rateLimit, msClock: () => clock.ms })
      try {
        const options: UpdateOptions = {
          jiraUrl: sim.baseUrl,
          auth: { mode: 'pat', personalAccessToken: 'pat' },
          maxRetries: 3,
          timeoutSeconds: 3600,
          issues: { by: 'keys', keys },
          changes: [{ origin: "input 'field'", field: 'customfield_10314', operation: 'set', value: 'Build Failed' }],
          notifyUsers: true,
          concurrency: 8,
          failOnError: true,
          dryRun: false,
          warnings: [],
          maxIssues: 100
        }
        const report = await updateIssues(options, { transport, log: quiet, retry: clock.policy })
        assert.equal(report.result, 'updated')
        assert.equal(report.updated.length, 20)
        const accepted = sim.requests.filter(r => r.status !== 429).length
        assert.equal(accepted, 40)
        // The bucket holds 5 and refills 5 a second: the other 35 cannot come sooner than 7 s.
        assert.ok(clock.ms - Date.parse('2026-12-01T10:00:00Z') >= 7000)
        // Only the requests already in flight when the first 429 came, and a few later probes,
        // are refused: not one in two, as when each request retries on its own.
        assert.ok(sim.rateLimited <= 12, `${sim.rateLimited} answers 429 of ${sim.requests.length}`)
      } finally {
        await sim.close()
      }
    })
  }

  it('names RateLimit-Reason when the retries run out', async () => {
    const clock = new FakeClock()
    const sim = await JiraSimulator.start({ personalAccessTokens: { pat: 'ci-bot' } })
    try {
      const limited = { status: 429, headers: { 'Retry-After': '2', 'RateLimit-Reason': 'jira-quota-tenant-based' } }
      sim.inject(limited, limited)
      const report = await updateIssues(
        {
          jiraUrl: sim.baseUrl,
          auth: { mode: 'pat', personalAccessToken: 'pat' },
          maxRetries: 1,
          timeoutSeconds: 600,
          issues: { by: 'keys', keys: ['CI-1'] },
          changes: [],
          fields: { labels: ['ci'] },
          notifyUsers: true,
          concurrency: 1,
          failOnError: true,
          dryRun: false,
          warnings: [],
          maxIssues: 100
        },
        { transport, log: quiet, retry: { ...clock.policy, maxRetries: 1 } }
      )
      assert.equal(report.result, 'error')
      assert.match(
        report.results[0].error?.message ?? '',
        /RateLimit-Reason jira-quota-tenant-based: the site's hourly quota is used up, Retry-After 2\) and retries ran out/
      )
      assert.deepEqual(clock.waits, [2000])
    } finally {
      await sim.close()
    }
  })
})
