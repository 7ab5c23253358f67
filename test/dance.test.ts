/** The OAuth dance (src/jira/dance.ts), in process against the simulator, on a fixed clock. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fetchAccessToken, fetchRequestToken, REQUEST_TOKEN_LIFETIME_SECONDS } from '../src/jira/dance.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import { loadPrivateKey } from '../src/oauth/keys.js'
import { CONSUMER_KEY, fakeClock, startSimulator, testKeys, verificationCodeFrom } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

describe('the OAuth dance, on a fixed clock', () => {
  let sim: JiraSimulator
  let transport: Transport
  before(async () => {
    sim = await startSimulator()
    transport = httpTransport()
  })
  after(async () => {
    transport.close()
    await sim.close()
  })

  it("dates the request token's expiry 10 minutes and the access token's 5 years from now, as Jira says", async () => {
    const now = new Date('2026-11-24T10:00:00Z')
    const consumer = { jiraUrl: sim.baseUrl, consumerKey: CONSUMER_KEY, privateKey: loadPrivateKey(testKeys().pkcs8), maxRetries: 0, timeoutSeconds: 60 }
    const deps = { transport, retry: fakeClock(0).policy, now: () => now }
    const request = await fetchRequestToken(consumer, deps)
    assert.equal(request.expiresAt.toISOString(), new Date(now.getTime() + REQUEST_TOKEN_LIFETIME_SECONDS * 1000).toISOString())
    const page = await (await fetch(request.authorizeUrl)).text()
    const access = await fetchAccessToken(consumer, request.requestToken, verificationCodeFrom(page) ?? '', deps)
    // Jira answers oauth_expires_in=157680000: five years of 365 days.
    assert.equal(access.expiresAt?.toISOString(), '2031-11-23T10:00:00.000Z')
    assert.ok(sim.accessTokens.has(access.accessToken))
  })
})
