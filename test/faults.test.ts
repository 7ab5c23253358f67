import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { retryDelay } from '../src/jira/client.js'
import { newAccessToken, oauthInputs, runAction, startSimulator } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'
import { makeTestCa, startProxy } from './sim/network.js'

const SET = { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }

describe('retries that are safe, and none that are not', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  /** Runs against a fresh issue state and returns the requests the simulator saw. */
  async function runWith(setup: (s: JiraSimulator) => void, extra: Record<string, string> = {}) {
    sim.requests.length = 0
    sim.clearInjected()
    sim.mode = 'normal'
    delete sim.issues.get('CI-1')?.fields.customfield_10314
    setup(sim)
    const run = await runAction(oauthInputs(sim, token, { ...SET, ...extra }))
    return { run, seen: sim.requests.map(r => `${r.method} ${r.status}`) }
  }

  // The waits themselves (Retry-After, backoff, lost connections) are tested on a fake clock in
  // test/client.test.ts; here the bundled action retries only what needs no wait.
  it('gives up after max-retries and says what Jira answered', async () => {
    const { run, seen } = await runWith(s => s.inject(...Array.from({ length: 5 }, () => ({ status: 502, headers: { 'Retry-After': '0' } }))), {
      'max-retries': '2'
    })
    assert.equal(run.code, 1)
    assert.deepEqual(seen, ['GET 502', 'GET 502', 'GET 502'])
    assert.match(run.log, /Jira answered HTTP 502/)
  })

  for (const [name, response, result] of [
    ['400', { status: 400, body: '{"errorMessages":["Bad"],"errors":{}}' }, 'invalid'],
    ['401', { status: 401, body: '' }, 'unauthorized'],
    ['403', { status: 403, body: '' }, 'forbidden'],
    ['404', { status: 404, body: '{"errorMessages":["Issue Does Not Exist"],"errors":{}}' }, 'not-found'],
    [
      'CAPTCHA on a 503',
      {
        status: 503,
        headers: { 'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED', 'X-Authentication-Denied-Reason': 'CAPTCHA_CHALLENGE; login-url=http://x/login.jsp' }
      },
      'captcha'
    ]
  ] as const) {
    it(`never retries a ${name}`, async () => {
      const { run, seen } = await runWith(s => s.inject({ ...response }))
      assert.equal(run.outputs.result, result)
      assert.equal(seen.length, 1, seen.join(', '))
    })
  }

  it('reports a redirect with the URL to use instead of following it', async () => {
    const { run, seen } = await runWith(s => s.inject({ status: 301, headers: { Location: 'https://jira.example.com/jira/rest/api/2/issue/CI-1' } }))
    assert.equal(run.outputs.result, 'invalid')
    assert.match(
      run.log,
      /redirected the request \(HTTP 301\) to https:\/\/jira\.example\.com\/jira\/rest\/api\/2\/issue\/CI-1\. An OAuth signature covers the URL, so redirects are not followed: set input 'jira-url' to https:\/\/jira\.example\.com\/jira\./
    )
    assert.equal(seen.length, 1)
  })

  it('reports an HTML login page by its title, never dumping it', async () => {
    const page = `<!DOCTYPE html><html><head><title>Sign in - Acme SSO</title></head><body>${'<div>x</div>'.repeat(500)}</body></html>`
    const { run } = await runWith(s => s.inject({ status: 200, headers: { 'Content-Type': 'text/html' }, body: page }))
    assert.equal(run.outputs.result, 'error')
    assert.match(run.log, /with an HTML page titled "Sign in - Acme SSO" instead of JSON\. A login page or a maintenance page usually means an SSO proxy/)
    assert.doesNotMatch(run.log, /<div>/)
  })

  it("reads Retry-After as seconds or an HTTP date, and Cloud's X-RateLimit-Reset", () => {
    const at = { now: () => Date.parse('2026-11-23T10:00:00Z'), random: () => 0.5 }
    assert.equal(retryDelay({ status: 429, headers: { 'retry-after': '7' }, body: '' }, 0, at), 7000)
    assert.equal(retryDelay({ status: 429, headers: { 'retry-after': 'Mon, 23 Nov 2026 10:00:05 GMT' }, body: '' }, 0, at), 5000)
    assert.equal(retryDelay({ status: 429, headers: { 'x-ratelimit-reset': '2026-11-23T10:00:03Z' }, body: '' }, 0, at), 3000)
    assert.equal(retryDelay({ status: 503, headers: {}, body: '' }, 2, at), 1500)
  })
})

describe('networks users really have', () => {
  it('goes through HTTPS_PROXY / HTTP_PROXY, signing the URL Jira sees', async () => {
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token })
    const proxy = await startProxy()
    try {
      // The runner cannot resolve jira.internal.test; the proxy can.
      const jiraUrl = `http://jira.internal.test:${sim.port}/jira`
      const run = await runAction({ ...oauthInputs(sim, token, SET), 'jira-url': jiraUrl }, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' })
      assert.equal(run.code, 0, run.log)
      assert.ok(proxy.tunnels.length >= 1)
      assert.ok(proxy.tunnels.every(t => t === `jira.internal.test:${sim.port}`))
      assert.deepEqual(
        sim.requests.map(r => `${r.method} ${r.status}`),
        ['GET 200', 'PUT 204']
      )
    } finally {
      await proxy.close()
      await sim.close()
    }
  })

  it('goes direct for a host in NO_PROXY, and says when its name does not resolve', async () => {
    const proxy = await startProxy()
    try {
      const run = await runAction(
        { ...oauthInputs({ baseUrl: 'http://jira.internal.test:8080/jira' } as JiraSimulator, newAccessToken(), SET), 'max-retries': '0' },
        { HTTP_PROXY: proxy.url, NO_PROXY: '.internal.test' }
      )
      assert.equal(run.code, 1)
      assert.equal(proxy.tunnels.length, 0)
      assert.match(
        run.log,
        /Could not reach Jira at http:\/\/jira\.internal\.test:8080\/jira: (host name not found|DNS lookup failed)\. Check input 'jira-url'/
      )
    } finally {
      await proxy.close()
    }
  })

  it('trusts an internal CA given as ca-certificate, and explains the TLS failure without it', async () => {
    const ca = makeTestCa()
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token, tls: { key: ca.serverKeyPem, cert: ca.serverCertPem } })
    try {
      assert.match(sim.baseUrl, /^https:/)
      const untrusted = await runAction(oauthInputs(sim, token, SET))
      assert.equal(untrusted.code, 1)
      assert.equal(untrusted.outputs.result, 'error')
      assert.match(
        untrusted.log,
        /TLS certificate of https:\/\/127\.0\.0\.1:\d+\/jira could not be verified \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. If Jira uses an internal CA, pass its certificate in PEM as input 'ca-certificate', or point NODE_EXTRA_CA_CERTS at the file/
      )
      assert.equal(sim.requests.length, 0)

      const trusted = await runAction(oauthInputs(sim, token, { ...SET, 'ca-certificate': ca.caPem }))
      assert.equal(trusted.code, 0, trusted.log)
      assert.deepEqual(
        sim.requests.map(r => `${r.method} ${r.status}`),
        ['GET 200', 'PUT 204']
      )
    } finally {
      await sim.close()
    }
  })

  it('trusts an internal CA through the proxy too', async () => {
    const ca = makeTestCa()
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token, tls: { key: ca.serverKeyPem, cert: ca.serverCertPem } })
    const proxy = await startProxy()
    try {
      const run = await runAction(
        { ...oauthInputs(sim, token, { ...SET, 'ca-certificate': ca.caPem }), 'jira-url': `https://jira.internal.test:${sim.port}/jira` },
        { HTTPS_PROXY: proxy.url, NO_PROXY: '' }
      )
      assert.equal(run.code, 0, run.log)
      assert.equal(proxy.tunnels[0], `jira.internal.test:${sim.port}`)
    } finally {
      await proxy.close()
      await sim.close()
    }
  })
})
