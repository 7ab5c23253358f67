/**
 * The client's retry policy, in process: a real HTTP transport on loopback against the
 * simulator, and a fake clock whose sleep records each wait and returns at once. No test here
 * waits in real time for a backoff or a Retry-After.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AuthConfig } from '../src/jira/auth.js'
import type { RetryPolicy } from '../src/jira/client.js'
import { CLI_WORDS } from '../src/commands/flags.js'
import { connect } from '../src/jira/connect.js'
import { JiraError } from '../src/jira/errors.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import { loadPrivateKey } from '../src/oauth/keys.js'
import { CONSUMER_KEY, fakeClock, newAccessToken, startSimulator, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

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

  const client = (policy: RetryPolicy, words = undefined as typeof CLI_WORDS | undefined) =>
    connect({ jiraUrl: sim.baseUrl, auth, maxRetries: policy.maxRetries, timeoutSeconds: 60 }, { transport, retry: policy, words })
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

  for (const [front, words, named] of [
    ['the action', undefined, "Raise input 'timeout' \\(seconds\\)"],
    ['the CLI', CLI_WORDS, 'Raise --timeout \\(seconds\\)']
  ] as const) {
    it(`stops a request Jira is slow to answer at the run's time limit, and ${front} names what to raise`, async () => {
      fresh()
      sim.inject({ status: 200, delayMs: 300, body: '{}' })
      let expire = (): void => {}
      const limits: number[] = []
      // The time limit passes when the test says so: once the request is in flight.
      const policy: RetryPolicy = {
        ...fakeClock().policy,
        timeLimit: ms =>
          new Promise<void>(resolve => {
            limits.push(ms)
            expire = resolve
          })
      }
      const pending = client(policy, words).json('GET', '/rest/api/2/myself')
      while (sim.requests.length === 0) await new Promise(resolve => setImmediate(resolve))
      expire()
      await assert.rejects(pending, new RegExp(`did not answer within the run's time limit\\. ${named} if Jira is slow`))
      assert.deepEqual(limits, [60_000])
      assert.equal(sim.requests.length, 1)
    })
  }

  it('ends the request in flight at the time limit, so it cannot land after the run gave up on it', async () => {
    let inFlight: AbortSignal | undefined
    // A Jira that never answers: the transport seam keeps the request's signal.
    const silent: Transport = {
      send: request => {
        inFlight = request.signal
        return new Promise(() => {})
      },
      close() {}
    }
    let expire = (): void => {}
    const policy: RetryPolicy = { ...fakeClock().policy, timeLimit: () => new Promise<void>(resolve => (expire = resolve)) }
    const pending = connect({ jiraUrl: sim.baseUrl, auth, maxRetries: 0, timeoutSeconds: 60 }, { transport: silent, retry: policy }).json(
      'PUT',
      '/rest/api/2/issue/CI-1',
      { json: { fields: {} } }
    )
    while (!inFlight) await new Promise(resolve => setImmediate(resolve))
    assert.equal(inFlight.aborted, false)
    expire()
    await assert.rejects(pending, /did not answer within the run's time limit/)
    assert.equal(inFlight.aborted, true)
  })

  it('stops reading an answer that never ends, with a clear error', async () => {
    // Its memory stays bounded too: measured by the benchmark, not asserted here.
    fresh()
    sim.inject({ status: 200, endless: true })
    const { policy } = fakeClock(0)
    await assert.rejects(client(policy).json('GET', '/rest/api/2/myself'), /answer from .* was cut off: it is larger than 4 MiB/)
  })
})
