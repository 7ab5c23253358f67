import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { findIssueKeys } from '../src/issues/discover.js'
import { fillTemplate, mapStatus, parseValueMap } from '../src/issues/value.js'
import { holdsValue, resolveField } from '../src/jira/fields.js'
import { defaultIssues } from './sim/fixtures.js'
import { baseEnv, newAccessToken, oauthInputs, runAction, runCli, startSimulator, tempDir, testKeys, CONSUMER_KEY } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

const valueOf = (sim: JiraSimulator, key: string, field = 'customfield_10314'): unknown => {
  const value = sim.issues.get(key)?.fields[field]
  return value && typeof value === 'object' && 'value' in value ? (value as { value: string }).value : value
}

/** The environment of a workflow run for an event, with its payload in a real GITHUB_EVENT_PATH file. */
function eventEnv(eventName: string, payload: unknown, extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempDir('jbr-event-')
  const path = join(dir, 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '8123',
    GITHUB_RUN_NUMBER: '57',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    ...extra
  }
}

describe('finding issue keys, values and fields (pure)', () => {
  it('finds keys in first-seen order, upper-cased, once each, ignoring look-alikes', () => {
    const texts = [
      { source: 'pr-title' as const, text: 'CI-7: UTF-8 names, SHA-256 sums [ci-8]' },
      { source: 'branch' as const, text: 'feature/ci-9-login' },
      { source: 'commits' as const, text: 'Fix CI-7 again\n\nAlso WEB-2' }
    ]
    assert.deepEqual(findIssueKeys(texts), ['CI-7', 'CI-8', 'CI-9', 'WEB-2'])
    assert.deepEqual(findIssueKeys(texts, ['branch', 'commits']), ['CI-9', 'CI-7', 'WEB-2'])
    assert.deepEqual(findIssueKeys(texts, undefined, ['web']), ['WEB-2'])
    assert.deepEqual(findIssueKeys([{ source: 'pr-title', text: 'UTF-8 SHA-256 ISO-8859 RFC-5849' }]), [])
  })

  it('maps GitHub and Jenkins statuses through value-map', () => {
    const { map } = parseValueMap('success=Build Passed, failure=Build Failed, cancelled=Build Aborted')
    assert.equal(mapStatus('success', map), 'Build Passed')
    assert.equal(mapStatus('SUCCESS', map), 'Build Passed')
    assert.equal(mapStatus('ABORTED', map), 'Build Aborted')
    assert.equal(mapStatus('UNSTABLE', map), 'Build Failed')
    assert.equal(mapStatus('skipped', map), undefined)
  })

  it("maps Jenkins' NOT_BUILT through the aborted entry, else cancelled, like ABORTED", () => {
    const jenkins = parseValueMap('success=Build Passed, unstable=Build Unstable, failure=Build Failed, aborted=Build Aborted').map
    assert.equal(mapStatus('NOT_BUILT', jenkins), 'Build Aborted')
    assert.equal(mapStatus('ABORTED', jenkins), 'Build Aborted')
    const github = parseValueMap('success=Build Passed, failure=Build Failed, cancelled=Build Cancelled').map
    assert.equal(mapStatus('NOT_BUILT', github), 'Build Cancelled')
    assert.equal(mapStatus('NOT_BUILT', parseValueMap('not_built=Not Built, aborted=Build Aborted').map), 'Not Built')
    assert.equal(mapStatus('NOT_BUILT', parseValueMap('success=Build Passed, failure=Build Failed').map), undefined)
  })

  it('fills known template names and reports the ones this run lacks', () => {
    assert.deepEqual(fillTemplate('{workflow} #{run_number} {unknown}', { workflow: 'CI', run_number: '5' }), { text: 'CI #5 {unknown}', missing: [] })
    assert.deepEqual(fillTemplate('{run_url}', {}).missing, ['run_url'])
  })

  it('resolves a field name, and names close matches or every match', () => {
    const fields = [
      { id: 'customfield_1', name: 'Build Result' },
      { id: 'customfield_2', name: 'Build Status' },
      { id: 'customfield_3', name: 'Build Status' }
    ]
    assert.equal(resolveField('build result', fields), 'customfield_1')
    assert.throws(
      () => resolveField('Build Status', fields),
      /2 fields are named "Build Status": "Build Status" \(customfield_2\), "Build Status" \(customfield_3\)/
    )
    assert.throws(() => resolveField('Buld Result', fields), /No field is named "Buld Result"\. Close matches: "Build Result" \(customfield_1\)/)
  })

  it('compares a current value as Jira returns it with the value to send', () => {
    assert.ok(holdsValue({ self: 'x', value: 'Build Passed', id: '1' }, { value: 'Build Passed' }))
    assert.ok(!holdsValue({ value: 'Build Failed' }, { value: 'Build Passed' }))
    assert.ok(holdsValue(['b', 'a'], ['a', 'b']))
    assert.ok(holdsValue('2015-11-18T14:39:00.000+1100', '2015-11-18T03:39:00.000+0000'))
    assert.ok(!holdsValue(null, 'x'))
  })
})

describe('which issues, which field, which value: through the bundled action', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    const issues = [...defaultIssues(12), ...defaultIssues(2, 'WEB')]
    for (const key of ['CI-6', 'CI-7', 'CI-8']) {
      const issue = issues.find(i => i.key === key)
      if (issue) issue.fixVersion = '1.0 beta+1'
    }
    sim = await startSimulator({ accessToken: token, issues, maxSearchResults: 2 })
  })
  after(() => sim.close())
  const inputs = (extra: Record<string, string>) => oauthInputs(sim, token, { field: 'customfield_10314', value: 'Build Passed', ...extra })

  it('updates the keys in a pull request title and head branch, not in refs/pull/N/merge', async () => {
    const env = eventEnv(
      'pull_request',
      { action: 'opened', number: 7, pull_request: { number: 7, title: 'CI-1: UTF-8 logins [CI-2]', head: { ref: 'feature/ci-3-login' } } },
      { GITHUB_REF: 'refs/pull/7/merge', GITHUB_HEAD_REF: 'feature/ci-3-login' }
    )
    const run = await runAction(inputs({ issue: '' }), env)
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.updated, 'CI-1,CI-2,CI-3')
    for (const key of ['CI-1', 'CI-2', 'CI-3']) assert.equal(valueOf(sim, key), 'Build Passed')
  })

  it("updates the keys in a push's commit messages, within the named projects", async () => {
    const env = eventEnv(
      'push',
      {
        ref: 'refs/heads/main',
        commits: [{ message: 'Fix WEB-1 layout' }, { message: 'SHA-256 checksums (CI-4)' }],
        head_commit: { message: 'SHA-256 checksums (CI-4)' }
      },
      { GITHUB_REF: 'refs/heads/main' }
    )
    const run = await runAction(inputs({ issue: '', 'issue-source': 'commits', projects: 'CI' }), env)
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.updated, 'CI-4')
    assert.equal(valueOf(sim, 'WEB-1'), undefined)
  })

  it('says where it looked when no key is found, and lets fail-on-error decide', async () => {
    const before = sim.requests.length
    const env = eventEnv('push', { ref: 'refs/heads/main', commits: [{ message: 'Tidy up' }] }, { GITHUB_REF: 'refs/heads/main' })
    const red = await runAction(inputs({ issue: '' }), env)
    assert.equal(red.code, 1)
    assert.equal(red.outputs.result, 'no-issues')
    assert.match(red.log, /::error title=No Jira issue found::No issue key found in branch "main", commits "Tidy up"\. Name the issue/)
    const green = await runAction(inputs({ issue: '', 'fail-on-error': 'false' }), env)
    assert.equal(green.code, 0)
    assert.match(green.log, /::warning title=No Jira issue found::/)
    assert.equal(sim.requests.length, before)
  })

  it('selects issues by JQL across pages, every search request signed and verified', async () => {
    const jql = 'project = CI AND fixVersion = "1.0 beta+1"'
    const run = await runAction(inputs({ jql, value: 'Build Unstable' }))
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.updated, 'CI-6,CI-7,CI-8')
    const searches = sim.requestsTo('/rest/api/2/search')
    assert.equal(searches.length, 2)
    assert.ok(
      searches.every(r => r.status === 200 && r.user === 'ci-bot'),
      JSON.stringify(searches.map(r => r.oauthProblem))
    )
    assert.equal(new URLSearchParams(searches[0].path.split('?')[1]).get('jql'), jql)
  })

  it('resolves a field by name once per run', async () => {
    const before = sim.requestsTo('/rest/api/2/field').length
    const run = await runAction(inputs({ issue: 'CI-5, CI-9', field: 'build result', value: 'Build Aborted' }))
    assert.equal(run.code, 0, run.log)
    assert.equal(valueOf(sim, 'CI-9'), 'Build Aborted')
    assert.equal(sim.requestsTo('/rest/api/2/field').length - before, 1)
  })

  it('names the candidates when a field name is ambiguous, and writes nothing', async () => {
    const puts = sim.requestsTo('/rest/api/2/issue', 'PUT').length
    const run = await runAction(inputs({ issue: 'CI-10', field: 'Build Status' }))
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(
      run.log,
      /2 fields are named "Build Status": "Build Status" \(customfield_10330\), "Build Status" \(customfield_10331\)\. Name the field by its id instead/
    )
    assert.equal(sim.requestsTo('/rest/api/2/issue', 'PUT').length, puts)
  })

  it('maps the job status through value-map', async () => {
    const run = await runAction(
      inputs({ issue: 'CI-10', value: '', status: 'failure', 'value-map': 'success=Build Passed, failure=Build Failed, cancelled=Build Aborted' })
    )
    assert.equal(run.code, 0, run.log)
    assert.equal(valueOf(sim, 'CI-10'), 'Build Failed')
  })

  it('refuses a status missing from value-map before any request', async () => {
    const before = sim.requests.length
    const run = await runAction(inputs({ issue: 'CI-10', value: '', status: 'skipped', 'value-map': 'success=Build Passed' }))
    assert.equal(run.code, 1)
    assert.match(run.log, /input 'status': "skipped" is not in input 'value-map' \(success\)\. Add an entry for it/)
    assert.equal(sim.requests.length, before)
  })

  it("fills a URL field from templates with the run's values", async () => {
    const env = eventEnv('push', { ref: 'refs/heads/main' }, { GITHUB_REF_NAME: 'main' })
    const run = await runAction(inputs({ issue: 'CI-11', field: 'customfield_10315', value: '{run_url}' }), env)
    assert.equal(run.code, 0, run.log)
    assert.equal(valueOf(sim, 'CI-11', 'customfield_10315'), 'https://github.com/acme/app/actions/runs/8123')
    const text = await runAction(inputs({ issue: 'CI-11', field: 'customfield_10321', value: '{repository}@{sha} on {ref} by {workflow} #{run_number}' }), env)
    assert.equal(text.code, 0, text.log)
    assert.equal(valueOf(sim, 'CI-11', 'customfield_10321'), 'acme/app@0123456789abcdef0123456789abcdef01234567 on main by CI #57')
  })

  it('skips the PUT when the field already holds the value, and says unchanged', async () => {
    await runAction(inputs({ issue: 'CI-12', value: 'Development Completed' }))
    const puts = sim.requestsTo('/rest/api/2/issue/CI-12', 'PUT').length
    const again = await runAction(inputs({ issue: 'CI-12', value: 'development completed' }))
    assert.equal(again.code, 0)
    assert.deepEqual(again.outputs, { updated: '', unchanged: 'CI-12', failed: '', result: 'unchanged' })
    assert.match(again.log, /CI-12: unchanged, customfield_10314 = Development Completed already/)
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-12', 'PUT').length, puts)
  })

  it('passes notifyUsers=false in the signed query when notify-users is false', async () => {
    const run = await runAction(inputs({ issue: 'WEB-2', 'notify-users': 'false' }))
    assert.equal(run.code, 0, run.log)
    const put = sim.requestsTo('/rest/api/2/issue/WEB-2', 'PUT')[0]
    assert.equal(put.path, '/rest/api/2/issue/WEB-2?notifyUsers=false')
    assert.equal(put.status, 204)
  })

  it('reports every outcome when many issues are updated at once and one fails', async () => {
    const s = await startSimulator({ accessToken: token, issues: defaultIssues(10) })
    try {
      const readOnly = s.issues.get('CI-5')
      if (readOnly) readOnly.readOnly = true
      await runAction(oauthInputs(s, token, { issue: 'CI-3', field: 'customfield_10314', value: 'Build Passed' }))
      const keys = ['CI-1', 'CI-2', 'CI-3', 'CI-404', 'CI-5', 'CI-6', 'CI-7', 'CI-8']
      const run = await runAction(oauthInputs(s, token, { issue: keys.join(' '), field: 'customfield_10314', value: 'Build Passed', concurrency: '3' }))
      assert.equal(run.code, 1)
      assert.deepEqual(run.outputs, { updated: 'CI-1,CI-2,CI-6,CI-7,CI-8', unchanged: 'CI-3', failed: 'CI-404,CI-5', result: 'forbidden' })
      for (const [key, outcome] of [
        ['CI-1', '= Build Passed \\| ✅ set'],
        ['CI-3', '= Build Passed \\| ✅ unchanged'],
        ['CI-404', '❌ failed: Jira answered 404'],
        ['CI-5', '= Build Passed \\| ❌ failed: Jira answered 403']
      ]) {
        assert.match(run.summary, new RegExp(`\\[${key}\\].*${outcome}`))
      }
      assert.match(run.summary, /- \*\*CI-5\*\* \(forbidden\): Jira answered 403/)
    } finally {
      await s.close()
    }
  })
})

describe('which issues and which value: through the bundled CLI on Jenkins', () => {
  it('finds the key in the branch, maps currentBuild.currentResult and fills BUILD_URL', async () => {
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token })
    try {
      const env = {
        ...baseEnv(),
        JIRA_URL: sim.baseUrl,
        JIRA_CONSUMER_KEY: CONSUMER_KEY,
        JIRA_PRIVATE_KEY: testKeys().pkcs8,
        JIRA_ACCESS_TOKEN: token,
        BRANCH_NAME: 'bugfix/CI-2-crash',
        BUILD_URL: 'https://jenkins.example.com/job/app/42/',
        BUILD_NUMBER: '42'
      }
      const mapped = await runCli(
        ['update', '--field', 'Build Result', '--status', 'ABORTED', '--value-map', 'success=Build Passed, failure=Build Failed, cancelled=Build Aborted'],
        env
      )
      assert.equal(mapped.code, 0, mapped.stderr)
      assert.equal(valueOf(sim, 'CI-2'), 'Build Aborted')
      const link = await runCli(['update', '--field', 'customfield_10315', '--value', '{run_url}'], env)
      assert.equal(link.code, 0, link.stderr)
      assert.equal(valueOf(sim, 'CI-2', 'customfield_10315'), 'https://jenkins.example.com/job/app/42/')
    } finally {
      await sim.close()
    }
  })
})
