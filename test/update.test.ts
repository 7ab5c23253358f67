/**
 * The update core (src/update.ts), in process against the simulator on a fake clock: several
 * fields in one GET and one PUT, unchanged issues, refusals found before the PUT, the remote
 * link upserted by its globalId, the comment never sent twice, per-change outcomes, the dry run,
 * and the stop after a CAPTCHA or a cancel. No test here waits in real time.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { RetryPolicy } from '../src/jira/client.js'
import { httpTransport, type Transport } from '../src/jira/transport.js'
import { githubRun } from '../src/issues/link.js'
import { parseUpdateOptions, type RawInputs } from '../src/options.js'
import type { Log } from '../src/report/log.js'
import { updateIssues, type UpdateOptions } from '../src/update.js'
import { CONSUMER_KEY, fakeClock, newAccessToken, startSimulator, testKeys } from './helpers.js'
import { defaultIssues } from './sim/fixtures.js'
import type { JiraSimulator } from './sim/jira.js'

/** A log that keeps what it is told, to read the dry run's requests back. */
function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = []
  return { lines, debug() {}, info: message => lines.push(message), warning: message => lines.push(message), error: message => lines.push(message) }
}

const GITHUB_ENV = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_RUN_ID: '8123',
  GITHUB_WORKFLOW: 'CI',
  GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/ci.yml@refs/heads/main'
}

describe('the update core, in process', () => {
  let sim: JiraSimulator
  let token: string
  let transport: Transport
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token, issues: defaultIssues(8) })
    transport = httpTransport()
  })
  after(async () => {
    transport.close()
    await sim.close()
  })
  beforeEach(() => {
    sim.requests.length = 0
    sim.clearInjected()
  })

  /** Options as the action would plan them from these inputs, for a GitHub run. */
  const plan = (inputs: RawInputs, env: Record<string, string> = GITHUB_ENV): UpdateOptions =>
    parseUpdateOptions(
      { 'jira-url': sim.baseUrl, 'consumer-key': CONSUMER_KEY, 'private-key': testKeys().pkcs8, 'access-token': token, concurrency: '2', ...inputs },
      undefined,
      {
        sourceTexts: [],
        ci: githubRun(env),
        templateValues: { run_url: 'https://github.com/acme/app/actions/runs/8123', run_number: '57', workflow: 'CI', repository: 'acme/app' }
      }
    )
  const run = (options: UpdateOptions, extra: { log?: Log; retry?: RetryPolicy; signal?: AbortSignal } = {}) =>
    updateIssues(options, { transport, log: extra.log ?? recordingLog(), retry: extra.retry ?? fakeClock().policy, signal: extra.signal })
  const requests = (): string[] => sim.requests.map(r => `${r.method} ${r.path.split('?')[0]}`)
  const fieldsOf = (key: string): Record<string, unknown> => sim.issues.get(key)?.fields ?? {}

  it('sets several fields with one field list, one GET and one PUT, adding and removing list items with update verbs', async () => {
    sim.issues.get('CI-1')!.fields.labels = ['ci-running', 'keep-me']
    const options = plan({
      issue: 'CI-1',
      field: 'Build Result',
      status: 'success',
      'value-map': 'success=Build Passed, failure=Build Failed',
      set: 'Build Link = {run_url}\nBuild Number = {run_number}\n\nLabels += ci-{status}\nLabels -= ci-running\nFix Version/s += 1.1'
    })
    const report = await run(options)
    assert.equal(report.result, 'updated')
    assert.deepEqual(requests(), ['GET /rest/api/2/field', 'GET /rest/api/2/issue/CI-1', 'PUT /rest/api/2/issue/CI-1'])
    const put = JSON.parse(sim.requestsTo('/rest/api/2/issue/CI-1', 'PUT')[0].body) as Record<string, unknown>
    assert.deepEqual(put, {
      fields: {
        customfield_10314: { value: 'Build Passed' },
        customfield_10315: 'https://github.com/acme/app/actions/runs/8123',
        customfield_10316: 57
      },
      update: { labels: [{ add: 'ci-success' }, { remove: 'ci-running' }], fixVersions: [{ add: { name: '1.1' } }] }
    })
    const fields = fieldsOf('CI-1')
    assert.deepEqual(fields.labels, ['keep-me', 'ci-success'])
    assert.deepEqual(
      (fields.fixVersions as Array<{ name: string }>).map(v => v.name),
      ['1.1']
    )
    assert.equal((fields.customfield_10314 as { value: string }).value, 'Build Passed')
    assert.deepEqual(
      report.results[0].changes.map(c => `${c.origin}: ${c.target} ${c.outcome}`),
      [
        "input 'field': Build Result (customfield_10314) set",
        "input 'set' line 1: Build Link (customfield_10315) set",
        "input 'set' line 2: Build Number (customfield_10316) set",
        "input 'set' line 4: Labels (labels) added",
        "input 'set' line 5: Labels (labels) removed",
        "input 'set' line 6: Fix Version/s (fixVersions) added"
      ]
    )
    assert.deepEqual(report.updated, ['CI-1'])
  })

  it('leaves an issue that already holds every value unchanged, with no PUT', async () => {
    const options = plan({ issue: 'CI-2', set: 'Build Result = Build Failed\nLabels += ci-failure\nLabels -= ci-running' })
    await run(options)
    sim.requests.length = 0
    const again = await run(options)
    assert.deepEqual(requests(), ['GET /rest/api/2/field', 'GET /rest/api/2/issue/CI-2'])
    assert.equal(again.result, 'unchanged')
    assert.deepEqual(again.unchanged, ['CI-2'])
    assert.deepEqual(again.updated, [])
    assert.deepEqual(
      again.results[0].changes.map(c => c.outcome),
      ['unchanged', 'unchanged', 'unchanged']
    )
  })

  it('refuses before the PUT what Jira would refuse, naming each line, and writes nothing to that issue', async () => {
    const options = plan({
      issue: 'CI-3',
      set: 'Build Link = https://ci.example/1\nBuild Result += Build Passed\nLegacy Status = green\nPlatforms += BeOS',
      'remote-link': 'Build #{run_number}',
      comment: 'Build {run_number}'
    })
    const report = await run(options)
    assert.equal(report.result, 'invalid')
    assert.deepEqual(requests(), ['GET /rest/api/2/field', 'GET /rest/api/2/issue/CI-3'])
    const [result] = report.results
    assert.equal(result.outcome, 'invalid')
    assert.match(
      result.error?.message ?? '',
      /^Nothing was written to CI-3: input 'set' line 2: \+= adds or removes one item of a list field .* but Build Result \(customfield_10314\) holds a single value\./
    )
    assert.match(result.error?.message ?? '', /input 'set' line 3: Field Legacy Status \(customfield_11623\) is not on the edit screen of CI-3\./)
    assert.match(
      result.error?.message ?? '',
      /input 'set' line 4: "BeOS" is not an option of customfield_10320 \(Platforms\)\..*Use one of: "Linux", "macOS", "Windows"/
    )
    assert.deepEqual(
      result.changes.map(c => `${c.target} ${c.outcome}`),
      [
        'Build Link (customfield_10315) skipped',
        'Build Result (customfield_10314) failed',
        'Legacy Status (customfield_11623) failed',
        'Platforms (customfield_10320) failed',
        'remote link skipped',
        'comment skipped'
      ]
    )
    assert.equal(fieldsOf('CI-3').customfield_10315, undefined)
  })

  it('upserts one remote link per workflow by its globalId: added, then updated whole, never duplicated', async () => {
    const first = await run(plan({ issue: 'CI-4', status: 'failure', 'remote-link': 'Build #{run_number}: {status}' }))
    assert.equal(first.results[0].changes[0].outcome, 'added')
    const again = await run(plan({ issue: 'CI-4', status: 'success', 'remote-link': 'Build #{run_number}: {status}' }))
    assert.equal(again.results[0].changes[0].outcome, 'updated')
    assert.equal(again.result, 'updated')
    const links = sim.issues.get('CI-4')?.remoteLinks ?? []
    assert.equal(links.length, 1)
    assert.equal(links[0].globalId, 'jira-build-result:https://github.com/acme/app/.github/workflows/ci.yml')
    assert.deepEqual(links[0].object, {
      url: 'https://github.com/acme/app/actions/runs/8123',
      title: 'Build #57: success',
      icon: { url16x16: 'https://github.githubassets.com/favicons/favicon.png', title: 'GitHub Actions' },
      status: { resolved: false, icon: { url16x16: 'https://github.githubassets.com/favicons/favicon-success.png', title: 'success' } }
    })
    // Another workflow of the same repository gets a link of its own.
    await run(
      plan(
        { issue: 'CI-4', 'remote-link': 'Deploy #{run_number}' },
        { ...GITHUB_ENV, GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/deploy.yml@refs/heads/main' }
      )
    )
    assert.equal(sim.issues.get('CI-4')?.remoteLinks?.length, 2)
    // The link alone needs no GET and no PUT.
    assert.deepEqual(requests().slice(-1), ['POST /rest/api/2/issue/CI-4/remotelink'])
  })

  it('posts the comment on the statuses comment-on names, and says why it skipped one', async () => {
    const failed = await run(plan({ issue: 'CI-5', status: 'FAILURE', comment: 'Build {run_number} {status}: {run_url}', 'comment-on': 'failure, cancelled' }))
    assert.equal(failed.results[0].changes[0].outcome, 'posted')
    assert.deepEqual(
      sim.issues.get('CI-5')?.comments?.map(c => c.body),
      ['Build 57 FAILURE: https://github.com/acme/app/actions/runs/8123']
    )
    sim.requests.length = 0
    const passed = await run(plan({ issue: 'CI-5', status: 'success', comment: 'Build {run_number} {status}', 'comment-on': 'failure, cancelled' }))
    assert.deepEqual(requests(), [])
    assert.equal(passed.results[0].changes[0].outcome, 'skipped')
    assert.equal(passed.results[0].changes[0].reason, "status success is not in input 'comment-on' (failure, cancelled)")
    assert.equal(passed.result, 'unchanged')
  })

  it('never sends a comment again once its request may have reached Jira, and says to check the issue', async () => {
    for (const fault of [{ status: 0, reset: true }, { status: 502 }, { status: 503 }, { status: 200, cut: 'fin' as const, body: '{"id": ' }]) {
      sim.requests.length = 0
      sim.inject({ ...fault, pathIncludes: '/comment' })
      const { policy, waits } = fakeClock()
      const report = await run(plan({ issue: 'CI-6', comment: 'Build {run_number}' }), { retry: policy })
      assert.equal(sim.requestsTo('/rest/api/2/issue/CI-6/comment').length, 1, JSON.stringify(fault))
      assert.deepEqual(waits, [])
      assert.deepEqual(report.failed, ['CI-6'])
      assert.equal(report.results[0].changes[0].outcome, 'failed')
      assert.equal(report.results[0].changes[0].reason, 'the comment may have been posted; check CI-6 before posting it again')
      assert.match(report.results[0].error?.message ?? '', /The comment may have been posted; check CI-6\./)
    }
  })

  it('retries a comment only when Jira certainly did not take it: a 429, or a 503 with Retry-After', async () => {
    sim.issues.get('CI-7')!.comments = []
    sim.inject(
      { status: 429, pathIncludes: '/comment', headers: { 'Retry-After': '2' } },
      { status: 503, pathIncludes: '/comment', headers: { 'Retry-After': '5' } }
    )
    const { policy, waits } = fakeClock()
    const report = await run(plan({ issue: 'CI-7', comment: 'Build {run_number}' }), { retry: policy })
    assert.equal(report.result, 'updated')
    assert.deepEqual(waits, [2000, 5000])
    assert.equal(sim.issues.get('CI-7')?.comments?.length, 1)
  })

  it('reports each change with its own outcome when a later write fails, and counts the issue both written and failed', async () => {
    sim.inject({ status: 403, pathIncludes: '/remotelink', body: '{"errorMessages": ["You do not have the permission to link issues."], "errors": {}}' })
    const report = await run(plan({ issue: 'CI-8', set: 'Build Number = 58', 'remote-link': 'Build #{run_number}', comment: 'Build {run_number}' }))
    assert.equal(report.result, 'forbidden')
    assert.deepEqual(
      report.results[0].changes.map(c => `${c.target} ${c.outcome}`),
      ['Build Number (customfield_10316) set', 'remote link failed', 'comment posted']
    )
    assert.match(report.results[0].changes[1].reason ?? '', /You do not have the permission to link issues/)
    assert.deepEqual(report.updated, ['CI-8'])
    assert.deepEqual(report.failed, ['CI-8'])
  })

  it('sends neither the link nor the comment when the edit failed', async () => {
    // The GET as Jira answers it, then a PUT Jira refuses.
    sim.inject(
      {
        status: 200,
        pathIncludes: 'CI-7',
        body: '{"fields": {}, "editmeta": {"fields": {"customfield_10316": {"schema": {"type": "number", "custom": "x:float"}}}}}'
      },
      { status: 400, pathIncludes: 'CI-7', body: '{"errorMessages": [], "errors": {"customfield_10316": "Operation value must be a number"}}' }
    )
    const report = await run(plan({ issue: 'CI-7', set: 'customfield_10316 = 3', 'remote-link': 'Build #{run_number}', comment: 'Build {run_number}' }))
    assert.equal(report.result, 'invalid')
    assert.deepEqual(
      report.results[0].changes.map(c => `${c.target} ${c.outcome}`),
      ['customfield_10316 failed', 'remote link skipped', 'comment skipped']
    )
    assert.deepEqual(requests(), ['GET /rest/api/2/issue/CI-7', 'PUT /rest/api/2/issue/CI-7'])
  })

  it('prints every write a dry run would send, and sends none', async () => {
    const log = recordingLog()
    const report = await run(
      plan({ issue: 'CI-1', set: 'Build Number = 99', 'remote-link': 'Build #{run_number}', comment: 'Build {run_number}', 'dry-run': 'true' }),
      { log }
    )
    assert.equal(report.result, 'dry-run')
    assert.deepEqual(requests(), ['GET /rest/api/2/field', 'GET /rest/api/2/issue/CI-1'])
    const printed = log.lines.filter(line => line.startsWith('[dry-run]')).map(line => line.split('\n')[0])
    assert.deepEqual(printed, [
      `[dry-run] PUT ${sim.baseUrl}/rest/api/2/issue/CI-1`,
      `[dry-run] POST ${sim.baseUrl}/rest/api/2/issue/CI-1/remotelink`,
      `[dry-run] POST ${sim.baseUrl}/rest/api/2/issue/CI-1/comment`
    ])
    assert.ok(log.lines.some(line => line.endsWith('{"body":"Build 57"}')))
    assert.deepEqual(
      report.results[0].changes.map(c => c.outcome),
      ['dry-run', 'dry-run', 'dry-run']
    )
  })

  it('refuses, before any issue, two names that resolve to one field changed in ways Jira refuses together', async () => {
    const report = await run(plan({ issue: 'CI-1', set: 'Build Number = 1\ncustomfield_10316 = 2' }))
    assert.equal(report.result, 'invalid')
    assert.match(report.error?.message ?? '', /input 'set' line 1 and input 'set' line 2 both change customfield_10316/)
    assert.deepEqual(requests(), ['GET /rest/api/2/field'])
  })

  it('stops a retry that is waiting once another issue meets a CAPTCHA, and sends it no more', async () => {
    // CI-1 succeeds alone; then CI-3 waits out a 503 while CI-2 is refused with a CAPTCHA, which
    // Jira answers only once CI-3's retry is waiting.
    let retryWaits = (): void => {}
    const retryWaiting = new Promise<void>(resolve => (retryWaits = resolve))
    sim.inject(
      { status: 503, pathIncludes: 'CI-3', headers: { 'Retry-After': '30' } },
      {
        status: 403,
        pathIncludes: 'CI-2',
        until: retryWaiting,
        headers: { 'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED', 'X-Authentication-Denied-Reason': 'CAPTCHA_CHALLENGE; login-url=http://x/login.jsp' }
      }
    )
    const waiting: number[] = []
    // A sleep that lasts until the run stops it: the halt must reach it.
    const policy: RetryPolicy = {
      ...fakeClock().policy,
      sleep: (ms, signal) =>
        new Promise((_, reject) => {
          waiting.push(ms)
          signal?.addEventListener('abort', () => reject(new Error('stopped')), { once: true })
          retryWaits()
        })
    }
    const report = await run(plan({ issue: 'CI-1, CI-2, CI-3', field: 'customfield_10314', value: 'Build Unstable' }), { retry: policy })
    assert.equal(report.result, 'captcha')
    assert.deepEqual(
      report.results.map(r => `${r.issueKey} ${r.outcome}`),
      ['CI-1 updated', 'CI-2 captcha', 'CI-3 skipped']
    )
    assert.deepEqual(waiting, [30_000])
    assert.deepEqual(
      sim.requestsTo('/rest/api/2/issue/CI-3').map(r => r.status),
      [503]
    )
  })

  it('reports every issue cancelled from outside that had not finished', async () => {
    const cancel = new AbortController()
    cancel.abort(new Error('cancelled'))
    const report = await run(plan({ issue: 'CI-4, CI-5', field: 'customfield_10314', value: 'Build Passed' }), { signal: cancel.signal })
    assert.equal(report.result, 'cancelled')
    assert.deepEqual(
      report.results.map(r => r.outcome),
      ['cancelled', 'cancelled']
    )
    assert.deepEqual(requests(), [])
  })
})
