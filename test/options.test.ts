import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InputError, NoCredentialsError, parseUpdateOptions, type RawInputs } from '../src/options.js'
import { testKeys } from './helpers.js'

const valid = (): RawInputs => ({
  'jira-url': 'https://jira.example.com/jira/',
  'consumer-key': 'jira-build-result',
  'private-key': testKeys().pkcs8,
  'access-token': 'token',
  issue: 'ci-1, CI-2\nCI-1',
  field: 'customfield_10314',
  value: 'Build Passed'
})

function problemsOf(raw: RawInputs): string[] {
  try {
    parseUpdateOptions(raw)
  } catch (error) {
    assert.ok(error instanceof InputError)
    return error.problems.map(p => p.message)
  }
  assert.fail('expected an InputError')
}

describe('validating inputs before any request', () => {
  it('accepts a working set, trims the URL and deduplicates keys', () => {
    const options = parseUpdateOptions(valid())
    assert.equal(options.jiraUrl, 'https://jira.example.com/jira')
    assert.deepEqual(options.issues, { by: 'keys', keys: ['CI-1', 'CI-2'] })
    assert.equal(options.failOnError, true)
    assert.equal(options.dryRun, false)
  })

  const cases: Array<[string, RawInputs, RegExp]> = [
    [
      'a jira-url without scheme',
      { 'jira-url': 'jira.example.com' },
      /input 'jira-url': "jira\.example\.com" is not a URL\. Write it with its scheme, e\.g\. https:\/\/jira\.example\.com/
    ],
    [
      'a jira-url with /rest/api/2',
      { 'jira-url': 'https://jira.example.com/jira/rest/api/2' },
      /points inside Jira \(\/rest….*Use the base URL: https:\/\/jira\.example\.com\/jira\./
    ],
    ['a jira-url with a query', { 'jira-url': 'https://jira.example.com/?os_authType=basic' }, /has a query or fragment/],
    [
      'an empty access token, with the fork hint',
      { 'access-token': '' },
      /^OAuth 1\.0a is the way to authenticate chosen, because input 'consumer-key' and input 'private-key' are set; it also needs input 'access-token' \(empty\)\. If it is stored as a secret, check the job can see it: GitHub passes no secrets to workflows run for pull requests from forks/
    ],
    ['an issue key of the wrong shape', { issue: 'CI_1' }, /"CI_1" is not shaped like an issue key/],
    ['fields JSON that does not parse', { field: '', value: '', fields: '{"labels": [' }, /input 'fields': is not valid JSON/],
    ['fields JSON that is not an object', { field: '', value: '', fields: '["a"]' }, /must be a JSON object/],
    ['a field without a value', { value: '' }, /input 'value': is empty, but input 'field' names customfield_10314/],
    ['the same field in field and fields', { fields: '{"customfield_10314": {"value": "x"}}' }, /sets customfield_10314 too/],
    ['a boolean that is not one', { 'dry-run': 'yes' }, /input 'dry-run': "yes" is not a boolean/]
  ]
  for (const [name, change, message] of cases) {
    it(`refuses ${name}`, () => {
      const problems = problemsOf({ ...valid(), ...change })
      assert.ok(
        problems.some(p => message.test(p)),
        problems.join('\n')
      )
    })
  }

  it('reports every problem at once', () => {
    const problems = problemsOf({ ...valid(), 'jira-url': '', issue: 'CI-1 x', 'access-token': '', 'dry-run': 'maybe' })
    assert.deepEqual(
      problems.map(p => /^input '([^']+)'/.exec(p)?.[1] ?? /needs input '([^']+)'/.exec(p)?.[1]),
      ['jira-url', 'access-token', 'issue', 'dry-run']
    )
  })

  it('wants exactly one way to authenticate', () => {
    const none = { ...valid(), 'consumer-key': '', 'private-key': '', 'access-token': '', 'fail-on-error': 'false' }
    assert.throws(
      () => parseUpdateOptions(none),
      (error: unknown) =>
        error instanceof NoCredentialsError &&
        !error.failOnError &&
        /No credentials are configured \(OAuth 1\.0a: input 'consumer-key', input 'private-key', input 'access-token'; personal access token: input 'personal-access-token'; basic with an API token: input 'user' and input 'api-token'; service account \(OAuth 2\.0 client credentials\): input 'client-id' and input 'client-secret'\), so nothing was sent to Jira/.test(
          error.message
        )
    )
    // No credentials and another problem: the other problem is bad input, as always.
    assert.match(problemsOf({ ...none, issue: 'not-a-key' }).join('\n'), /input 'issue'/)
    const two = problemsOf({ ...valid(), 'personal-access-token': 'pat' })
    assert.match(two.join('\n'), /credentials for 2 ways to authenticate are set \(oauth, pat\)/)
    const half = problemsOf({ ...valid(), 'consumer-key': '', 'private-key': '', 'access-token': '', 'api-token': 'tok' })
    assert.deepEqual(half, [
      `Basic auth is the way to authenticate chosen, because input 'api-token' is set; it also needs input 'user' (not set). If it is stored as a secret, check the job can see it: GitHub passes no secrets to workflows run for pull requests from forks, and Jenkins binds them only inside withCredentials.`
    ])
    // Every input the chosen way lacks, at once, not only the first.
    const consumerOnly = problemsOf({ ...valid(), 'private-key': '', 'access-token': '' })
    assert.equal(consumerOnly.length, 1)
    assert.match(
      consumerOnly[0],
      /^OAuth 1\.0a is the way to authenticate chosen, because input 'consumer-key' is set; it also needs input 'private-key' \(empty\) and input 'access-token' \(empty\)\./
    )
  })
})

describe('service accounts (OAuth 2.0 client credentials) and where REST calls go', () => {
  const service = (extra: RawInputs = {}): RawInputs => ({
    ...valid(),
    'consumer-key': '',
    'private-key': '',
    'access-token': '',
    'client-id': 'ci-client',
    'client-secret': 'very-secret-value',
    ...extra
  })

  it("asks Data Center's own token endpoint under jira-url, with no audience", () => {
    const options = parseUpdateOptions(service())
    assert.deepEqual(options.auth, {
      mode: 'client-credentials',
      clientId: 'ci-client',
      clientSecret: 'very-secret-value',
      tokenUrl: 'https://jira.example.com/jira/rest/oauth2/latest/token'
    })
    assert.equal(options.cloud, false)
    assert.equal(options.apiUrl, undefined)
  })

  it("asks Atlassian's token endpoint for api.atlassian.com on a Cloud site", () => {
    const options = parseUpdateOptions(service({ 'jira-url': 'https://example.atlassian.net', scope: 'READ WRITE' }))
    assert.deepEqual(options.auth, {
      mode: 'client-credentials',
      clientId: 'ci-client',
      clientSecret: 'very-secret-value',
      tokenUrl: 'https://auth.atlassian.com/oauth/token',
      scope: 'READ WRITE',
      audience: 'api.atlassian.com'
    })
    assert.equal(options.cloud, true)
  })

  it('takes token-url and api-url as given, without a trailing slash', () => {
    const options = parseUpdateOptions(
      service({ 'token-url': 'http://127.0.0.1:8080/oauth/token/', 'api-url': 'https://api.atlassian.com/ex/jira/0b7c1f4e-4f2a-4b8e-9d2c-3a1b5c6d7e8f/' })
    )
    assert.equal(options.auth.mode === 'client-credentials' && options.auth.tokenUrl, 'http://127.0.0.1:8080/oauth/token')
    assert.equal(options.apiUrl, 'https://api.atlassian.com/ex/jira/0b7c1f4e-4f2a-4b8e-9d2c-3a1b5c6d7e8f')
    assert.match(options.warnings.join('\n'), /Client credentials over plain http send the client secret/)
  })

  const refusals: Array<[string, RawInputs, RegExp]> = [
    [
      'a client id without its secret',
      service({ 'client-secret': '' }),
      /^OAuth 2\.0 client credentials \(service account\) is the way to authenticate chosen, because input 'client-id' is set; it also needs input 'client-secret' \(empty\)\./
    ],
    [
      'a secret without its client id',
      service({ 'client-id': '' }),
      /^OAuth 2\.0 client credentials \(service account\) is the way to authenticate chosen, because input 'client-secret' is set; it also needs input 'client-id' \(empty\)\./
    ],
    [
      'token-url without client credentials',
      { ...valid(), 'token-url': 'https://jira.example.com/t' },
      /input 'token-url': is set, but only client credentials use it/
    ],
    ['a scope list with two spaces', service({ scope: 'READ  WRITE' }), /input 'scope': "READ {2}WRITE" is not a list of scopes/],
    [
      'an api-url that goes as far as /rest',
      service({ 'api-url': 'https://api.atlassian.com/ex/jira/x/rest/api/2' }),
      /input 'api-url': .*goes as far as \/rest/
    ],
    [
      'an api-url with a password in it',
      service({ 'api-url': 'https://u:p@api.atlassian.com/ex/jira/x' }),
      /input 'api-url': must not contain a user name or password/
    ],
    [
      'client credentials together with OAuth',
      { ...valid(), 'client-id': 'c', 'client-secret': 's' },
      /credentials for 2 ways to authenticate are set \(oauth, client-credentials\)/
    ]
  ]
  for (const [name, raw, message] of refusals) {
    it(`refuses ${name}, sending nothing`, () => {
      const problems = problemsOf(raw)
      assert.ok(
        problems.some(p => message.test(p)),
        problems.join('\n')
      )
      assert.ok(problems.every(p => !p.includes('very-secret-value')))
    })
  }
})
