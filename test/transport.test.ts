/**
 * What the transport exposes and to whom: warnings for credentials over plain http, certificate
 * checks that NODE_TLS_REJECT_UNAUTHORIZED cannot turn off, a proxy that only true loopback
 * goes around, and credentials too long to be real refused before anything is sent.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseUpdateOptions, type RawInputs } from '../src/options.js'
import { isLoopback, proxyFor } from '../src/jira/transport.js'
import { newAccessToken, oauthInputs, runAction, startSimulator, testKeys, CONSUMER_KEY } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'
import { makeTestCa, startProxy } from './sim/network.js'

const SET = { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }

describe('credentials over plain http', () => {
  const base = { ...SET, 'jira-url': 'http://jira.example.com/jira' }
  it('warns that a personal access token is readable on the network', () => {
    const { warnings } = parseUpdateOptions({ ...base, 'personal-access-token': 'abcdefgh12345678' })
    assert.deepEqual(warnings, [
      "A personal access token over plain http is readable to anyone on the network, who can then act as its user until it is revoked; use an https input 'jira-url'."
    ])
  })

  it('warns that OAuth shows the access token and the signatures, and leaves bodies unsigned', () => {
    const { warnings } = parseUpdateOptions({ ...base, 'consumer-key': CONSUMER_KEY, 'private-key': testKeys().pkcs8, 'access-token': 'tok12345678' })
    assert.deepEqual(warnings, [
      "OAuth over plain http shows the access token and every request's signature to anyone on the network, and JSON bodies are not signed, so a body can be changed on the way; use an https input 'jira-url'."
    ])
  })

  it('warns of basic auth as before, and of nothing over https', () => {
    assert.match(parseUpdateOptions({ ...base, user: 'bob', 'api-token': 'abcdefgh12345678' }).warnings.join('\n'), /Basic auth over plain http/)
    assert.deepEqual(parseUpdateOptions({ ...base, 'jira-url': 'https://jira.example.com', 'personal-access-token': 'abcdefgh12345678' }).warnings, [])
  })
})

describe('credentials longer than 8 KiB are refused, nothing sent', () => {
  let sim: JiraSimulator
  before(async () => {
    sim = await startSimulator()
  })
  after(() => sim.close())

  const cases: Array<[string, () => Record<string, string>, string]> = [
    ['a 10 KB personal access token', () => ({ 'personal-access-token': 'p'.repeat(10_000) }), "input 'personal-access-token': is 10,000 bytes long"],
    ['a 100 KB personal access token', () => ({ 'personal-access-token': 'p'.repeat(100_000) }), "input 'personal-access-token': is 100,000 bytes long"],
    ['a 9 KB API token', () => ({ user: 'bob', 'api-token': 'a'.repeat(9000) }), "input 'api-token': is 9,000 bytes long"],
    [
      'an access token one byte over',
      () => ({ 'consumer-key': CONSUMER_KEY, 'private-key': testKeys().pkcs8, 'access-token': 't'.repeat(8193) }),
      "input 'access-token': is 8,193 bytes long"
    ]
  ]
  for (const [name, credentials, message] of cases) {
    it(`refuses ${name}`, async () => {
      sim.requests.length = 0
      const run = await runAction({ ...SET, 'jira-url': sim.baseUrl, ...credentials() })
      assert.equal(run.code, 1)
      assert.equal(run.outputs.result, 'invalid')
      assert.ok(run.log.includes(`${message}, more than the 8 KiB any credential Jira issues needs. Copy the value again, alone.`), run.log)
      assert.equal(sim.requests.length, 0, 'the simulator saw nothing')
    })
  }

  it('takes a credential of exactly 8 KiB', () => {
    const raw: RawInputs = { ...SET, 'jira-url': 'https://jira.example.com', 'personal-access-token': 'p'.repeat(8192) }
    assert.equal(parseUpdateOptions(raw).auth.mode, 'pat')
  })
})

describe('certificate checks stay on under NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
  it('warns by name, checks the certificate anyway, and sends nothing to an unverified Jira', async () => {
    const ca = makeTestCa()
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token, tls: { key: ca.serverKeyPem, cert: ca.serverCertPem } })
    try {
      const run = await runAction(oauthInputs(sim, token, SET), { NODE_TLS_REJECT_UNAUTHORIZED: '0' })
      assert.equal(run.code, 1)
      assert.equal(run.outputs.result, 'error')
      assert.match(
        run.log,
        /::warning::NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment, which would turn certificate checks off; Jira's certificate is checked anyway\. For Jira behind an internal CA, pass its certificate as input 'ca-certificate'/
      )
      assert.match(run.log, /TLS certificate of https:\/\/127\.0\.0\.1:\d+\/jira could not be verified \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/)
      assert.equal(sim.requests.length, 0)
      // With the CA given, the same run goes through, the warning still said.
      const trusted = await runAction(oauthInputs(sim, token, { ...SET, 'ca-certificate': ca.caPem }), { NODE_TLS_REJECT_UNAUTHORIZED: '0' })
      assert.equal(trusted.code, 0, trusted.log)
      assert.match(trusted.log, /NODE_TLS_REJECT_UNAUTHORIZED=0 is set/)
    } finally {
      await sim.close()
    }
  })
})

describe('which hosts go around the proxy', () => {
  it('takes only IP loopback and localhost for loopback', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', '[::ffff:7f00:1]']) assert.ok(isLoopback(host), host)
    for (const host of ['127.attacker.test', '127.0.0.1.nip.io', 'localhost.attacker.test', '128.0.0.1', '[::2]', '10.0.0.1', 'jira.internal.test'])
      assert.ok(!isLoopback(host), host)
    // WHATWG URL spells loopback addresses out first; a look-alike name stays a name.
    assert.equal(new URL('http://127.1/').hostname, '127.0.0.1')
    assert.equal(new URL('http://0x7f.0.0.1/').hostname, '127.0.0.1')
    assert.ok(isLoopback(new URL('http://[0:0:0:0:0:0:0:1]/').hostname))
  })

  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY as the toolkit does', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'proxy.corp:8080', NO_PROXY: '.internal.test, jira.example.com:8443' }
    assert.equal(proxyFor(new URL('https://jira.example.com/'), env)?.href, 'http://proxy.corp:3128/')
    assert.equal(proxyFor(new URL('http://jira.example.com/'), env)?.href, 'http://proxy.corp:8080/')
    assert.equal(proxyFor(new URL('https://jira.internal.test/'), env), undefined)
    assert.equal(proxyFor(new URL('https://jira.example.com:8443/'), env), undefined)
    assert.equal(proxyFor(new URL('https://127.attacker.test/'), env)?.href, 'http://proxy.corp:3128/')
    assert.equal(proxyFor(new URL('https://127.0.0.1/'), env), undefined)
    assert.equal(proxyFor(new URL('https://jira.example.com/'), { ...env, NO_PROXY: '*' }), undefined)
    assert.equal(proxyFor(new URL('https://jira.example.com/'), {}), undefined)
  })

  for (const host of ['127.attacker.test', '127.0.0.1.nip.io']) {
    it(`sends ${host}, a name anyone's DNS may point anywhere, through the proxy`, async () => {
      const token = newAccessToken()
      const sim = await startSimulator({ accessToken: token })
      const proxy = await startProxy()
      try {
        // The runner cannot resolve the name; only the proxy can (it sends every name to 127.0.0.1).
        const run = await runAction(
          { ...oauthInputs(sim, token, SET), 'jira-url': `http://${host}:${sim.port}/jira` },
          { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' }
        )
        assert.equal(run.code, 0, run.log)
        assert.deepEqual([...new Set(proxy.tunnels)], [`${host}:${sim.port}`])
        assert.deepEqual(
          sim.requests.map(r => `${r.method} ${r.status}`),
          ['GET 200', 'PUT 204']
        )
      } finally {
        await proxy.close()
        await sim.close()
      }
    })
  }

  it('goes direct to localhost and 127.0.0.1, proxy or not', async () => {
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token })
    const proxy = await startProxy()
    try {
      for (const host of ['localhost', '127.0.0.1']) {
        const run = await runAction(
          {
            ...oauthInputs(sim, token, { ...SET, value: host === 'localhost' ? 'Build Failed' : 'Build Passed' }),
            'jira-url': `http://${host}:${sim.port}/jira`
          },
          { HTTP_PROXY: proxy.url, NO_PROXY: '' }
        )
        assert.equal(run.code, 0, run.log)
      }
      assert.deepEqual(proxy.tunnels, [])
      assert.equal(sim.requestsTo('/rest/api/2/issue/CI-1', 'PUT').length, 2)
    } finally {
      await proxy.close()
      await sim.close()
    }
  })
})
