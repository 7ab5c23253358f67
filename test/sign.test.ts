import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadPrivateKey } from '../src/oauth/keys.js'
import { signRequest, splitUrl } from '../src/oauth/sign.js'
import { parseOAuthHeader, serverBaseString, verifyRsaSha1 } from './sim/oauth-verify.js'
import { CONSUMER_KEY, ROOT, startSimulator, testKeys } from './helpers.js'
import { connect } from '../src/jira/connect.js'
import { JiraError } from '../src/jira/errors.js'
import { httpTransport } from '../src/jira/transport.js'
import { createPublicKey } from 'node:crypto'

interface Vector {
  consumer_key: string
  method: string
  url: string
  oauth_nonce: string
  oauth_timestamp: string
  private_key_pem: string
  signature_base_string: string
  oauth_signature: string
}

const vector = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/oauth-wiki-rsa-sha1.json'), 'utf8')) as Vector
const fixed = (timestamp: number, nonce: string) => ({ clock: () => timestamp, nonce: () => nonce })

describe('OAuth 1.0a RSA-SHA1 signing', () => {
  it("produces the OAuth wiki test vector's base string and signature exactly", () => {
    const signed = signRequest(
      { method: vector.method, url: vector.url },
      { consumerKey: vector.consumer_key, privateKey: loadPrivateKey(vector.private_key_pem) },
      fixed(Number(vector.oauth_timestamp), vector.oauth_nonce)
    )
    assert.equal(signed.baseString, vector.signature_base_string)
    assert.equal(signed.oauthParams.oauth_signature, vector.oauth_signature)
    assert.match(signed.authorization, /^OAuth /)
    assert.equal(parseOAuthHeader(signed.authorization)?.get('oauth_signature'), vector.oauth_signature)
  })

  it('gives a fresh nonce to every request by default', () => {
    const credentials = { consumerKey: 'ck', privateKey: loadPrivateKey(testKeys().pkcs8), token: 't' }
    const a = signRequest({ method: 'GET', url: 'http://jira.example.com/rest/api/2/myself' }, credentials)
    const b = signRequest({ method: 'GET', url: 'http://jira.example.com/rest/api/2/myself' }, credentials)
    assert.notEqual(a.oauthParams.oauth_nonce, b.oauthParams.oauth_nonce)
    assert.equal(a.oauthParams.oauth_body_hash, undefined)
  })

  const credentials = () => ({ consumerKey: 'jira-build-result', privateKey: loadPrivateKey(testKeys().pkcs8), token: 'tok' })

  // Each case is one pitfall of oauth-1.0a 2.2.6; the server-side base string is built by the
  // simulator's own code, so agreement means the signer follows RFC 5849, not the library.
  const cases: Array<[string, string]> = [
    ['decodes "+" in a query as a space', 'https://jira.example.com/jira/rest/api/2/search?jql=project+%3D+CI'],
    ['keeps a query value whole after a second "="', 'https://jira.example.com/jira/rest/api/2/search?jql=project=CI AND key=CI-1'],
    ['lower-cases scheme and host and drops the default port', 'HTTPS://Jira.Example.COM:443/jira/rest/api/2/issue/CI-1'],
    ['drops port 80 for http', 'http://jira.example.com:80/rest/api/2/issue/CI-1'],
    ['keeps a non-default port and the context path', 'http://127.0.0.1:8080/jira/rest/api/2/issue/CI-1'],
    ['signs repeated query parameters, sorted by value', 'http://jira.example.com/rest/api/2/search?fields=b&fields=a&jql=x%20%3D%20%22y%22']
  ]
  for (const [name, url] of cases) {
    it(name, () => {
      const signed = signRequest({ method: 'GET', url }, credentials(), fixed(1700000000, 'n1'))
      const parsed = new URL(url)
      const expected = serverBaseString({
        method: 'GET',
        baseUri: `${parsed.protocol}//${parsed.host}${parsed.pathname}`,
        query: parsed.search.slice(1),
        oauthParams: parseOAuthHeader(signed.authorization) ?? new Map<string, string>()
      })
      assert.equal(signed.baseString, expected)
      assert.ok(verifyRsaSha1(expected, signed.oauthParams.oauth_signature, createPublicKey(testKeys().publicKey)))
    })
  }

  it('never signs a JSON body, only form bodies', () => {
    const url = 'http://jira.example.com/rest/api/2/issue/CI-1'
    const plain = signRequest({ method: 'PUT', url }, credentials(), fixed(1700000000, 'n1'))
    assert.doesNotMatch(plain.baseString, /fields/)
    const form = signRequest({ method: 'POST', url, form: { a: 'b c' } }, credentials(), fixed(1700000000, 'n1'))
    assert.match(form.baseString, /a%3Db%2520c/)
  })

  it('splits a URL into the base string URI and decoded parameters', () => {
    const { baseUri, params } = splitUrl('HTTP://Example.com:80/a%20b?x=1+2&y=a=b')
    assert.equal(baseUri, 'http://example.com/a%20b')
    assert.deepEqual(params, [
      ['x', '1 2'],
      ['y', 'a=b']
    ])
  })

  // Found by comparing with oauthlib: oauth-1.0a copies request parameters into its protocol
  // parameters, and collects them on plain objects.
  it('signs a query parameter named oauth_* once, and keeps it out of the header', () => {
    const url = 'http://jira.example.com/rest/api/2/search?oauth_extra=1&jql=x'
    const signed = signRequest({ method: 'GET', url }, credentials(), fixed(1700000000, 'n1'))
    assert.equal(parseOAuthHeader(signed.authorization)?.has('oauth_extra'), false)
    assert.equal(signed.baseString.split('oauth_extra').length - 1, 1)
    const header = parseOAuthHeader(signed.authorization) ?? new Map<string, string>()
    const expected = serverBaseString({
      method: 'GET',
      baseUri: 'http://jira.example.com/rest/api/2/search',
      query: 'oauth_extra=1&jql=x',
      oauthParams: header
    })
    assert.equal(signed.baseString, expected)
  })

  it('leaves a query parameter named oauth_signature out of the base string (RFC 5849 §3.4.1.3.1)', () => {
    const withIt = signRequest(
      { method: 'GET', url: 'http://jira.example.com/rest/api/2/search?oauth_signature=abc&jql=x' },
      credentials(),
      fixed(1700000000, 'n1')
    )
    const without = signRequest({ method: 'GET', url: 'http://jira.example.com/rest/api/2/search?jql=x' }, credentials(), fixed(1700000000, 'n1'))
    assert.doesNotMatch(withIt.baseString, /abc/)
    assert.equal(withIt.baseString, without.baseString)
    const expected = serverBaseString({
      method: 'GET',
      baseUri: 'http://jira.example.com/rest/api/2/search',
      query: 'oauth_signature=abc&jql=x',
      oauthParams: parseOAuthHeader(withIt.authorization) ?? new Map<string, string>()
    })
    assert.equal(withIt.baseString, expected)
    assert.ok(verifyRsaSha1(expected, withIt.oauthParams.oauth_signature, createPublicKey(testKeys().publicKey)))
  })

  it('signs a parameter named __proto__ like any other', () => {
    const url = 'http://jira.example.com/rest/api/2/search?__proto__=x&jql=y'
    const signed = signRequest({ method: 'GET', url }, credentials(), fixed(1700000000, 'n1'))
    assert.match(signed.baseString, /__proto__%3Dx/)
    const header = parseOAuthHeader(signed.authorization) ?? new Map<string, string>()
    const expected = serverBaseString({ method: 'GET', baseUri: 'http://jira.example.com/rest/api/2/search', query: '__proto__=x&jql=y', oauthParams: header })
    assert.equal(signed.baseString, expected)
    assert.ok(verifyRsaSha1(expected, signed.oauthParams.oauth_signature, createPublicKey(testKeys().publicKey)))
  })
})

describe("a machine whose OpenSSL forbids SHA-1 signatures (RHEL 9's DEFAULT policy)", () => {
  // This machine's OpenSSL signs SHA-1, so the refusal comes through the signer's seam, with
  // the error a RHEL 9 system OpenSSL gives.
  const refusing = {
    ...fixed(1_700_000_000, 'nonce'),
    rsaSha1: (): string => {
      throw Object.assign(new Error('error:03000098:digital envelope routines::invalid digest'), { code: 'ERR_OSSL_EVP_INVALID_DIGEST' })
    }
  }

  it('says so by name, with the ways out, and sends nothing', async () => {
    const sim = await startSimulator({ accessToken: 'sha1-token-0001' })
    const transport = httpTransport()
    try {
      const client = connect(
        {
          jiraUrl: sim.baseUrl,
          auth: { mode: 'oauth', consumerKey: CONSUMER_KEY, privateKey: loadPrivateKey(testKeys().pkcs8), accessToken: 'sha1-token-0001' },
          maxRetries: 3,
          timeoutSeconds: 60
        },
        { transport, sources: refusing }
      )
      await assert.rejects(client.json('GET', '/rest/api/2/myself'), (error: unknown) => {
        assert.ok(error instanceof JiraError)
        assert.match(
          error.reason,
          /This machine's OpenSSL refused to sign with RSA-SHA1, which Jira's OAuth 1\.0a requires \(error:03000098:digital envelope routines::invalid digest\); nothing was sent/
        )
        assert.match(error.reason, /system crypto policy forbids SHA-1 signatures, as RHEL 9's DEFAULT policy/)
        assert.match(error.remedy, /a Node\.js from nodejs\.org \(it bundles its own OpenSSL/)
        assert.match(error.remedy, /a personal access token or a service account/)
        return true
      })
      assert.equal(sim.requests.length, 0)
    } finally {
      transport.close()
      await sim.close()
    }
  })

  it('signs as before when the primitive works', () => {
    const signed = signRequest(
      { method: 'GET', url: 'https://jira.example.com/rest/api/2/myself' },
      { consumerKey: 'k', privateKey: loadPrivateKey(testKeys().pkcs8) },
      fixed(1, 'n')
    )
    assert.match(signed.authorization, /oauth_signature="[^"]+"/)
  })
})
