import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InputError, parseUpdateOptions, type RawInputs } from '../src/options.js'
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
    assert.deepEqual(options.issueKeys, ['CI-1', 'CI-2'])
    assert.equal(options.failOnError, true)
    assert.equal(options.dryRun, false)
  })

  const cases: Array<[string, RawInputs, RegExp]> = [
    ['a jira-url without scheme', { 'jira-url': 'jira.example.com' }, /input 'jira-url': "jira\.example\.com" is not a URL\. Write it with its scheme, e\.g\. https:\/\/jira\.example\.com/],
    ['a jira-url with /rest/api/2', { 'jira-url': 'https://jira.example.com/jira/rest/api/2' }, /points inside Jira \(\/rest….*Use the base URL: https:\/\/jira\.example\.com\/jira\./],
    ['a jira-url with a query', { 'jira-url': 'https://jira.example.com/?os_authType=basic' }, /has a query or fragment/],
    ['an empty access token, with the fork hint', { 'access-token': '' }, /input 'access-token': is empty.*pull request from a fork GitHub passes no secrets/],
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
      assert.ok(problems.some(p => message.test(p)), problems.join('\n'))
    })
  }

  it('reports every problem at once', () => {
    assert.equal(problemsOf({ 'jira-url': '', issue: '' }).length, 6)
  })
})
