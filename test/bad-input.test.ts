import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { assertNoSecrets, newAccessToken, oauthInputs, runAction, secretPieces, startSimulator, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'
import { makeTestCa } from './sim/network.js'

interface Row {
  input: string
  bad: string
  change: () => Record<string, string>
  message: RegExp
  /** Rows Jira must be asked about: a read is allowed, never a write. */
  reads?: boolean
}

const encrypted = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }).toString()

// One row per line of the README's bad-input table, in its order.
const ROWS: Row[] = [
  {
    input: 'private-key',
    bad: 'truncated',
    change: () => ({ 'private-key': testKeys().pkcs8.slice(0, 400) }),
    message: /input 'private-key': The private key has a BEGIN line but no matching END line: it looks truncated\. Copy the whole key file/
  },
  {
    input: 'private-key',
    bad: 'malformed',
    change: () => ({ 'private-key': testKeys().pkcs8.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!') }),
    message: /input 'private-key': The private key body is not base64/
  },
  {
    input: 'private-key',
    bad: 'a public key',
    change: () => ({ 'private-key': testKeys().publicKey }),
    message: /input 'private-key': This is a public key, not the private key\. The public key goes on the application link/
  },
  {
    input: 'private-key',
    bad: 'a certificate',
    change: () => ({ 'private-key': makeTestCa().caPem }),
    message: /input 'private-key': This is an X\.509 certificate, not the private key/
  },
  {
    input: 'private-key',
    bad: 'encrypted, no passphrase',
    change: () => ({ 'private-key': encrypted() }),
    message:
      /input 'private-key': The private key is encrypted and no passphrase was given\. Provide input 'private-key-passphrase', or store the key unencrypted/
  },
  {
    input: 'private-key-passphrase',
    bad: 'wrong',
    change: () => ({ 'private-key': encrypted(), 'private-key-passphrase': 'wrong' }),
    message: /input 'private-key-passphrase': The encrypted private key could not be decrypted/
  },
  {
    input: 'access-token',
    bad: 'empty',
    change: () => ({ 'access-token': '' }),
    message:
      /OAuth 1\.0a is the way to authenticate chosen, because input 'consumer-key' and input 'private-key' are set; it also needs input 'access-token' \(empty\)\. If it is stored as a secret, check the job can see it: GitHub passes no secrets to workflows run for pull requests from forks/
  },
  {
    input: 'jira-url',
    bad: 'no scheme',
    change: () => ({ 'jira-url': 'jira.example.com/jira' }),
    message: /input 'jira-url': "jira\.example\.com\/jira" is not a URL\. Write it with its scheme, e\.g\. https:\/\/jira\.example\.com\/jira/
  },
  {
    input: 'jira-url',
    bad: 'ends in /rest/api/2',
    change: () => ({ 'jira-url': 'https://jira.example.com/jira/rest/api/2' }),
    message: /input 'jira-url': .* points inside Jira \(\/rest…\)\. Use the base URL: https:\/\/jira\.example\.com\/jira\./
  },
  {
    input: 'jira-url',
    bad: 'has a query',
    change: () => ({ 'jira-url': 'https://jira.example.com/jira?os_authType=oauth' }),
    message: /input 'jira-url': .* has a query or fragment\. Use the base URL alone: https:\/\/jira\.example\.com\/jira/
  },
  {
    input: 'issue',
    bad: 'wrong shape',
    change: () => ({ issue: 'CI 42, #42' }),
    message: /input 'issue': "CI", "42", "#42" are not shaped like an issue key\. Write keys as PROJECT-123/
  },
  {
    input: 'fields',
    bad: 'JSON that does not parse',
    change: () => ({ field: '', value: '', fields: "{'labels': ['ci']}" }),
    message: /input 'fields': is not valid JSON \(.*\)\. Pass an object such as/
  },
  {
    input: 'value-map',
    bad: 'not status=value',
    change: () => ({ value: '', status: 'success', 'value-map': 'success: Build Passed' }),
    message: /input 'value-map': "success: Build Passed": write entries as status=value/
  },
  { input: 'ca-certificate', bad: 'not PEM', change: () => ({ 'ca-certificate': 'my-ca.crt' }), message: /input 'ca-certificate': holds no PEM certificate/ },
  { input: 'timeout', bad: 'not a number', change: () => ({ timeout: '1m' }), message: /input 'timeout': "1m" is not a whole number from 1 to 3600/ },
  {
    input: 'personal-access-token',
    bad: 'set beside OAuth',
    change: () => ({ 'personal-access-token': 'abcdefgh12345678' }),
    message: /input 'personal-access-token': credentials for 2 ways to authenticate are set \(oauth, pat\); configure exactly one/
  },
  {
    input: 'field',
    bad: 'unknown name',
    change: () => ({ field: 'Bild Result' }),
    message: /No field is named "Bild Result"\. Close matches: "Build Result" \(customfield_10314\)/,
    reads: true
  },
  {
    input: 'field',
    bad: 'unknown id',
    change: () => ({ field: 'customfield_99999' }),
    message: /Field customfield_99999 is not on the edit screen of CI-1/,
    reads: true
  },
  {
    input: 'value',
    bad: 'not an option',
    change: () => ({ value: 'Green' }),
    message: /"Green" is not an option of customfield_10314 \(Build Result\)\. Use one of: "Build Passed", "Build Failed"/,
    reads: true
  }
]

describe('bad input: each row of the README table fails with the input named and the fix, writing nothing', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  for (const row of ROWS) {
    it(`${row.input}: ${row.bad}`, async () => {
      sim.requests.length = 0
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed', ...row.change() }))
      assert.equal(run.code, 1)
      assert.match(run.log, row.message)
      assert.equal(run.outputs.result, 'invalid')
      if (row.reads)
        assert.deepEqual(
          sim.requests.filter(r => r.method !== 'GET'),
          []
        )
      else assert.equal(sim.requests.length, 0, 'no request sent')
    })
  }

  it('catches a secret that reaches the log (the leak check itself can fail)', () => {
    const pieces = secretPieces([token], [testKeys().pkcs8])
    assert.throws(() => assertNoSecrets({ log: `value = ${token}` }, pieces), /a secret \(piece 0\) leaked into log/)
    assert.throws(() => assertNoSecrets({ summary: testKeys().pkcs8.split('\n')[3] }, pieces), /leaked into summary/)
    assert.doesNotThrow(() => assertNoSecrets({ log: 'value = ***' }, pieces))
  })

  it('redacts a secret even where the user asked for it as a value: Jira gets it, the log does not', async () => {
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10321', value: token }))
    assert.equal(run.code, 0, run.log)
    assert.equal(sim.issues.get('CI-1')?.fields.customfield_10321, token)
    assert.match(run.log, /CI-1: updated customfield_10321 = \*\*\*/)
  })
})
