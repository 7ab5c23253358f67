/**
 * A flood of issues: a JQL answer, a pull request's text or an issue list that names more
 * issues than max-issues writes nothing, says how many matched and what to narrow, and ends
 * with result=invalid, its outputs and its summary.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { InputError, parseUpdateOptions, type RawInputs } from '../src/options.js'
import { defaultIssues } from './sim/fixtures.js'
import { baseEnv, CONSUMER_KEY, newAccessToken, oauthInputs, runAction, runCli, startSimulator, tempDir, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

const SET = { field: 'customfield_10314', value: 'Build Passed' }

/** A pull_request_target event whose title names these keys, in a real GITHUB_EVENT_PATH file. */
function pullRequestTarget(title: string): Record<string, string> {
  const path = join(tempDir('jbr-event-'), 'event.json')
  writeFileSync(path, JSON.stringify({ action: 'opened', number: 9, pull_request: { number: 9, title, head: { ref: 'fork-branch' } } }))
  return { GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_EVENT_PATH: path, GITHUB_REPOSITORY: 'acme/app', GITHUB_HEAD_REF: 'fork-branch' }
}

describe('max-issues, through the bundled action', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token, issues: defaultIssues(12), maxSearchResults: 2 })
  })
  after(() => sim.close())

  it('writes nothing when one JQL answer holds 150,000 keys, and says how many matched', async () => {
    sim.requests.length = 0
    const issues = Array.from({ length: 150_000 }, (_, i) => ({ key: `CI-${i + 1}` }))
    sim.inject({
      status: 200,
      pathIncludes: '/search',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ startAt: 0, maxResults: 150_000, total: 150_000, issues })
    })
    const run = await runAction(oauthInputs(sim, token, { ...SET, jql: 'project = CI' }))
    sim.clearInjected()
    assert.equal(run.code, 1)
    assert.deepEqual(run.outputs, { updated: '', unchanged: '', failed: '', result: 'invalid' })
    assert.match(
      run.log,
      /::error title=Jira request failed::The JQL query matches 150,000 issues, more than input 'max-issues' \(100\) allows, so no issue was updated\. The query: project = CI Narrow input 'jql' to the issues this build concerns/
    )
    assert.match(run.summary, /### Jira build result: invalid\n\nThe JQL query matches 150,000 issues/)
    assert.ok(run.summary.length < 2000, `summary of ${run.summary.length} characters`)
    assert.deepEqual(
      sim.requests.map(r => `${r.method} ${r.path.split('?')[0]}`),
      ['GET /rest/api/2/search']
    )
  })

  it("stops reading a search's pages once past the cap", async () => {
    sim.requests.length = 0
    // Twelve issues match, two a page: the third key read is one past a cap of 3.
    const run = await runAction(oauthInputs(sim, token, { ...SET, jql: 'project = CI', 'max-issues': '3' }))
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(run.log, /The JQL query matches 12 issues, more than input 'max-issues' \(3\) allows/)
    const searches = sim.requestsTo('/rest/api/2/search')
    assert.equal(searches.length, 1)
    assert.equal(new URLSearchParams(searches[0].path.split('?')[1]).get('maxResults'), '4')
    assert.equal(sim.requestsTo('/rest/api/2/issue').length, 0)
  })

  it("stops reading Cloud's pages, which say no total, once past the cap", async () => {
    const cloud = await startSimulator({ accessToken: token, issues: defaultIssues(12), maxSearchResults: 2, deployment: 'Cloud' })
    try {
      const run = await runAction(oauthInputs(cloud, token, { ...SET, jql: 'project = CI', 'max-issues': '3' }))
      assert.equal(run.outputs.result, 'invalid')
      assert.match(run.log, /The JQL query matches more issues than input 'max-issues' \(3\) allows, so no issue was updated/)
      // Two keys a page: the second page passes the cap, and no third is asked for.
      assert.equal(cloud.requestsTo('/rest/api/3/search/jql').length, 2)
      assert.equal(cloud.requestsTo('/rest/api/2/issue').length, 0)
    } finally {
      await cloud.close()
    }
  })

  it('writes nothing when the issue input names more issues than max-issues', async () => {
    sim.requests.length = 0
    const keys = Array.from({ length: 101 }, (_, i) => `CI-${i + 1}`).join(',')
    const run = await runAction(oauthInputs(sim, token, { ...SET, issue: keys }))
    assert.equal(run.code, 1)
    assert.deepEqual(run.outputs, { updated: '', unchanged: '', failed: '', result: 'invalid' })
    assert.match(run.log, /input 'issue' names 101 issues, more than input 'max-issues' \(100\) allows, so no issue was updated\. Name fewer issues/)
    assert.equal(sim.requests.length, 0)
  })

  it('writes nothing for a pull request whose title names 461 keys on pull_request_target, and recommends projects', async () => {
    sim.requests.length = 0
    const title = Array.from({ length: 461 }, (_, i) => `CI-${i + 1}`).join(' ')
    const run = await runAction(oauthInputs(sim, token, { ...SET, issue: '' }), pullRequestTarget(title))
    assert.equal(run.code, 1)
    assert.deepEqual(run.outputs, { updated: '', unchanged: '', failed: '', result: 'invalid' })
    assert.match(
      run.log,
      /::warning::The issue keys were found in the pull request's title and branch on a pull_request_target event, which whoever opened the pull request writes \(from a fork too\)\. Set input 'projects' to your project keys so only those count; at most input 'max-issues' \(100\) are written\./
    )
    assert.match(
      run.log,
      /The pull request or commits name 461 issues \(in the title and branch\), more than input 'max-issues' \(100\) allows, so no issue was updated\. Set input 'projects' to your project keys/
    )
    assert.match(run.summary, /### Jira build result: invalid/)
    assert.equal(sim.requests.length, 0)
  })

  it('warns on pull_request_target without projects, and writes the few keys found', async () => {
    const run = await runAction(oauthInputs(sim, token, { ...SET, issue: '' }), pullRequestTarget('CI-7: fix the login'))
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.updated, 'CI-7')
    assert.match(run.log, /::warning::The issue keys were found in the pull request's title and branch on a pull_request_target event/)
    const withProjects = await runAction(oauthInputs(sim, token, { ...SET, issue: '', projects: 'CI' }), pullRequestTarget('CI-8: fix the login'))
    assert.equal(withProjects.code, 0, withProjects.log)
    assert.doesNotMatch(withProjects.log, /pull_request_target event/)
  })

  it('takes --max-issues on the command line', async () => {
    const run = await runCli(
      ['update', '--jira-url', sim.baseUrl, '--issue', 'CI-1 CI-2 CI-3', '--max-issues', '2', '--field', SET.field, '--value', SET.value],
      {
        ...baseEnv(),
        JIRA_CONSUMER_KEY: CONSUMER_KEY,
        JIRA_PRIVATE_KEY: testKeys().pkcs8,
        JIRA_ACCESS_TOKEN: token
      }
    )
    assert.equal(run.code, 1)
    assert.match(run.stderr, /--issue names 3 issues, more than --max-issues \(2\) allows/)
  })
})

describe('the max-issues input itself', () => {
  const raw = (maxIssues: string): RawInputs => ({
    'jira-url': 'https://jira.example.com',
    'personal-access-token': 'abcdefgh12345678',
    issue: 'CI-1',
    field: 'customfield_10314',
    value: 'x',
    'max-issues': maxIssues
  })
  it('defaults to 100 and takes a whole number from 1 to 10000', () => {
    assert.equal(parseUpdateOptions(raw('')).maxIssues, 100)
    assert.equal(parseUpdateOptions(raw('250')).maxIssues, 250)
    for (const bad of ['0', '-1', '1.5', 'all', '10001']) {
      assert.throws(
        () => parseUpdateOptions(raw(bad)),
        (error: unknown) =>
          error instanceof InputError && error.problems.some(p => p.message === `input 'max-issues': "${bad}" is not a whole number from 1 to 10000.`)
      )
    }
  })
})
