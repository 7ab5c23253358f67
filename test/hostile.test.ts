/**
 * A hostile network: servers on loopback that echo credentials back, cut answers off, never end
 * them, answer with the wrong shape, or page forever; text that tries to become workflow
 * commands or Markdown; and bad input that must be refused before anything is sent.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPairSync } from 'node:crypto'
import { percentEncode } from '../src/jira/redact.js'
import { CONSUMER_KEY, newAccessToken, oauthInputs, ROOT, runAction, runCli, startSimulator, testKeys, type ActionRun } from './helpers.js'
import type { InjectedResponse, JiraSimulator } from './sim/jira.js'

const SET = { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }

/** Fails when any form of a secret shows anywhere the action wrote, the runner's ::add-mask:: lines aside. */
function assertNoForms(run: ActionRun | { stdout: string; stderr: string }, secrets: string[]): void {
  const texts: Record<string, string> =
    'outputs' in run
      ? { log: run.log, stderr: run.stderr, summary: run.summary, outputs: JSON.stringify(run.outputs) }
      : { stdout: run.stdout, stderr: run.stderr }
  for (const secret of secrets) {
    for (const form of [secret, percentEncode(secret), percentEncode(percentEncode(secret))]) {
      for (const [where, text] of Object.entries(texts)) assert.ok(!text.includes(form), `a form of a secret leaked into ${where}`)
    }
  }
}

describe('credentials echoed back by proxies, WAFs and Jira itself', () => {
  // Tokens with characters that percent-encoding changes, so each form differs from the raw one.
  const pat = `pat+${newAccessToken()}/=`
  const apiToken = `api+${newAccessToken()}/=`
  const accessToken = `tok+${newAccessToken()}/=`
  const clientSecret = `cs+${newAccessToken()}/=`
  let sim: JiraSimulator
  before(async () => {
    sim = await startSimulator({
      accessTokens: { [accessToken]: 'ci-bot' },
      personalAccessTokens: { [pat]: 'pat-user' },
      basicUsers: { 'ci@example.com': apiToken },
      serviceAccounts: { 'echo-client': { secret: clientSecret, user: 'svc-echo' } }
    })
  })
  after(() => sim.close())

  const echo = (status: number): InjectedResponse => ({ status, echo: true, headers: { 'Content-Type': 'text/plain' } })

  for (const status of [400, 401, 403, 500]) {
    it(`redacts Bearer, Basic and OAuth headers echoed in a ${status} body, in every form`, async () => {
      const basic = Buffer.from(`ci@example.com:${apiToken}`).toString('base64')
      for (const [inputs, secrets] of [
        [{ 'personal-access-token': pat }, [pat]],
        [{ user: 'ci@example.com', 'api-token': apiToken }, [apiToken, basic]],
        [{ 'consumer-key': CONSUMER_KEY, 'private-key': testKeys().pkcs8, 'access-token': accessToken }, [accessToken]]
      ] as const) {
        sim.clearInjected()
        sim.inject(echo(status))
        const run = await runAction({ 'jira-url': sim.baseUrl, ...SET, ...inputs, 'max-retries': '0' })
        assert.equal(run.code, 1)
        assertNoForms(run, [...secrets])
        assert.match(run.log, /Authorization: (Bearer|Basic|OAuth) \*\*\*|authorization: (Bearer|Basic|OAuth) \*\*\*/i)
        // The runner is told to mask the derived forms too.
        // (The command's data escapes % as %25; the runner undoes it.)
        for (const secret of secrets) assert.ok(run.stdout.includes(`::add-mask::${percentEncode(secret).replace(/%/g, '%25')}`))
        if (inputs['api-token']) assert.ok(run.stdout.includes(`::add-mask::${basic}`))
      }
    })
  }

  for (const [where, pathIncludes, status] of [
    ['the token endpoint', '/rest/oauth2/', 401],
    ['a REST call', '/rest/api/', 403]
  ] as const) {
    it(`redacts a client secret and the access tokens issued when ${where} echoes the request`, async () => {
      sim.clearInjected()
      sim.inject({ ...echo(status), pathIncludes })
      const run = await runAction({ 'jira-url': sim.baseUrl, ...SET, 'client-id': 'echo-client', 'client-secret': clientSecret, 'max-retries': '0' })
      assert.equal(run.code, 1)
      assertNoForms(run, [clientSecret, ...sim.issuedTokens.keys()])
      assert.match(run.log, /client_secret=\*\*\*|Authorization: Bearer \*\*\*/i)
    })
  }

  it("redacts the token in Jira's signature_invalid base string, encoded twice, in debug output too", async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const run = await runAction({ 'jira-url': sim.baseUrl, ...SET, 'consumer-key': CONSUMER_KEY, 'private-key': other, 'access-token': accessToken })
    assert.equal(run.outputs.result, 'unauthorized')
    assert.match(run.log, /::debug::CI-1: Jira's signature base string: GET&/)
    // (A debug command's data escapes % as %25.)
    assert.match(run.log, /oauth_token(=|%(25)?3D)\*\*\*/)
    assertNoForms(run, [accessToken])
  })

  it("redacts the CLI's stderr and --json the same way", async () => {
    sim.clearInjected()
    sim.inject(echo(403))
    const run = await runCli(
      ['update', '--jira-url', sim.baseUrl, '--issue', 'CI-1', '--field', 'customfield_10314', '--value', 'Build Passed', '--json', '--max-retries', '0'],
      { JIRA_PERSONAL_ACCESS_TOKEN: pat }
    )
    assert.equal(run.code, 1)
    assertNoForms(run, [pat])
    const json = JSON.parse(run.stdout) as { issues: Array<{ message: string }> }
    assert.match(json.issues[0].message, /Bearer \*\*\*/)
  })

  it('quotes at most a few hundred characters of an answer', async () => {
    sim.clearInjected()
    sim.inject({ status: 500, body: `{"errorMessages":["${'word '.repeat(1000)}"]}` })
    const run = await runAction({ 'jira-url': sim.baseUrl, ...SET, 'personal-access-token': pat, 'max-retries': '0' })
    const line = run.log.split('\n').find(l => l.startsWith('::error title=Jira request failed')) ?? ''
    assert.ok(line.length < 700, `${line.length} characters`)
    assert.match(line, /(word ){59}word…/)
  })
})

describe('hostile text never becomes a workflow command or markup', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  /** Every line the runner would read as a command: only the action's own are allowed. */
  function commands(run: ActionRun): string[] {
    const lines = run.stdout.split('\n')
    const fenced: string[] = []
    let token: string | undefined
    for (const line of lines) {
      if (token) {
        if (line === `::${token}::`) token = undefined
        continue
      }
      const stop = /^::stop-commands::(.+)$/.exec(line)
      if (stop) token = stop[1]
      else if (/^\s*::/.test(line)) fenced.push(line)
    }
    return fenced.filter(line => !/^::(add-mask|debug|error|warning|notice)( [^:]*)?::/.test(line))
  }

  it('fences a value whose lines look like commands, so the runner runs none of them', async () => {
    const value = 'Build 42\n::add-mask::CI-1\n::error title=Injected::pwned\n::stop-commands::x'
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-2', field: 'customfield_10317', value }))
    assert.equal(run.code, 0, run.log)
    assert.equal(sim.issues.get('CI-2')?.fields.customfield_10317, value)
    assert.deepEqual(commands(run), [])
    assert.doesNotMatch(run.log.replace(/::stop-commands::[^\n]+\n[\s\S]*?\n::[0-9a-f-]{36}::/g, ''), /Injected/)
  })

  it('escapes a branch name an outsider chose, in the job summary', async () => {
    const ref = 'x<img src=x onerror=alert(1)>[click](https://evil.example)|'
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-3', field: 'customfield_10321', value: 'built {ref}' }), { GITHUB_HEAD_REF: ref })
    assert.equal(run.code, 0, run.log)
    assert.doesNotMatch(run.summary, /<img/)
    assert.doesNotMatch(run.summary, /(?<!\\)\[click(?<!\\)\]\(/)
    assert.match(run.summary, /built x&lt;img src=x onerror=alert\(1\)&gt;\\\[click\\\]\(https:\/\/evil\.example\)\\\|/)
  })

  it('refuses keys a JQL search returns that are not issue keys, sending no request for them', async () => {
    for (const key of ['..', null, 12345, {}]) {
      sim.requests.length = 0
      sim.inject({
        status: 200,
        pathIncludes: '/search',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ startAt: 0, total: 1, issues: [{ key }] })
      })
      const run = await runAction(oauthInputs(sim, token, { jql: 'project = CI', field: 'customfield_10314', value: 'Build Passed' }))
      assert.equal(run.code, 1)
      assert.match(run.log, /Jira's search answered with .* where an issue key belongs/)
      assert.deepEqual(
        sim.requests.map(r => r.path.split('?')[0]),
        ['/rest/api/2/search']
      )
    }
  })

  it('refuses a jira-url with a password, never repeating it', async () => {
    const run = await runAction(oauthInputs(sim, token, { ...SET, 'jira-url': 'htps://bob:s3cr3t-pw@jira.example.com/jira?x=1' }))
    assert.equal(run.code, 1)
    assert.match(
      run.log,
      /input 'jira-url': must not contain a user name or password \(it holds an '@'\)\. Pass credentials through their own inputs, and Jira's base URL alone, e\.g\. htps:\/\/jira\.example\.com\/jira\?x=1\./
    )
    assert.doesNotMatch(run.log, /s3cr3t-pw|bob:/)
  })
})

describe('every run ends with an outcome, whatever the transport does', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  for (const cut of ['reset', 'fin'] as const) {
    it(`ends with every issue's outcome when answers are cut off mid-body (${cut})`, async () => {
      sim.requests.length = 0
      for (const key of ['CI-1', 'CI-2']) delete sim.issues.get(key)?.fields.customfield_10314
      sim.inject({ status: 200, cut, pathIncludes: 'CI-1', headers: { 'Content-Type': 'application/json' }, body: '{"fields": {' })
      // No retries: the retry itself is tested on a fake clock (test/client.test.ts).
      const run = await runAction(oauthInputs(sim, token, { ...SET, issue: 'CI-1 CI-2', 'max-retries': '0' }))
      assert.equal(run.code, 1)
      assert.deepEqual(run.outputs, { updated: 'CI-2', unchanged: '', failed: 'CI-1', result: 'error' })
      assert.match(run.log, /CI-1: Could not reach Jira at .*: (connection reset|the connection closed in the middle of the answer)\./)
      assert.match(run.summary, /CI-1.*❌ failed: Could not reach Jira/)
      assert.match(run.summary, /\*\*CI-1\*\* \(network\)/)
      assert.match(run.summary, /CI-2.*✅ set/)
    })
  }

  it('fails at once when every connection is reset before any answer', { timeout: 30_000 }, async () => {
    const { createServer } = await import('node:net')
    let connections = 0
    const server = createServer(socket => {
      connections++
      socket.resetAndDestroy()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as { port: number }).port
      // The step's limit is long: the run must end on the resets, not by waiting it out.
      const run = await runAction(
        oauthInputs({ baseUrl: `http://127.0.0.1:${port}/jira` } as JiraSimulator, token, { ...SET, 'max-retries': '0', timeout: '600' })
      )
      assert.equal(run.code, 1)
      assert.deepEqual(run.outputs, { updated: '', unchanged: '', failed: 'CI-1', result: 'error' })
      assert.match(run.log, /Could not reach Jira at .*: connection reset\./)
      assert.equal(connections, 1)
    } finally {
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  })

  it('stops paging a search that ignores startAt', async () => {
    sim.requests.length = 0
    for (let i = 0; i < 30; i++)
      sim.inject({
        status: 200,
        pathIncludes: '/search',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ startAt: 0, total: 50, issues: [{ key: 'CI-1' }, { key: 'CI-2' }] })
      })
    const run = await runAction(oauthInputs(sim, token, { jql: 'project = CI', field: 'customfield_10314', value: 'Build Aborted', 'dry-run': 'true' }))
    sim.clearInjected()
    assert.equal(run.code, 0, run.log)
    assert.equal(sim.requestsTo('/rest/api/2/search').length, 2)
    assert.equal(run.outputs.result, 'dry-run')
  })

  it('ends a run cancelled with SIGTERM with outputs and a summary for what finished, and a non-zero exit', async () => {
    const { spawn } = await import('node:child_process')
    const dir = mkdtempSync(join(tmpdir(), 'jbr-cancel-'))
    try {
      for (const key of ['CI-1', 'CI-2']) delete sim.issues.get(key)?.fields.customfield_10314
      sim.inject({ status: 200, pathIncludes: 'CI-2', delayMs: 30_000, body: '{}' })
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        NO_PROXY: '127.0.0.1',
        GITHUB_OUTPUT: join(dir, 'out'),
        GITHUB_STEP_SUMMARY: join(dir, 'summary')
      }
      writeFileSync(env.GITHUB_OUTPUT, '')
      writeFileSync(env.GITHUB_STEP_SUMMARY, '')
      for (const [name, value] of Object.entries(oauthInputs(sim, token, { ...SET, issue: 'CI-1 CI-2', concurrency: '1' })))
        env[`INPUT_${name.toUpperCase()}`] = value
      const child = spawn(process.execPath, [join(ROOT, 'dist/index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let cancelled = false
      child.stdout.on('data', chunk => {
        stdout += chunk
        // CI-1 is done and CI-2's request is in flight: cancel, as the runner does.
        if (!cancelled && stdout.includes('CI-1: updated')) {
          cancelled = true
          setImmediate(() => child.kill('SIGTERM'))
        }
      })
      const code = await new Promise<number | null>(resolve => child.on('close', resolve))
      assert.equal(code, 1)
      const outputs = readFileSync(join(dir, 'out'), 'utf8')
      assert.match(outputs, /updated<<[^\n]+\nCI-1\n/)
      assert.match(outputs, /result<<[^\n]+\ncancelled\n/)
      assert.match(readFileSync(join(dir, 'summary'), 'utf8'), /CI-2.*⏭️ skipped: the run was cancelled/)
    } finally {
      sim.clearInjected()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reports a summary file that cannot be written, keeping the outputs and the outcome', async () => {
    const run = await runAction(oauthInputs(sim, token, { ...SET, issue: 'CI-4' }), { GITHUB_STEP_SUMMARY: join(ROOT, 'no-such-folder', 'summary') })
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.result, 'updated')
    assert.match(run.log, /::warning title=Job summary not written::The job summary could not be written/)
  })

  it('reports a Jira answer of the wrong shape as such', async () => {
    sim.inject({ status: 200, pathIncludes: '/field', headers: { 'Content-Type': 'application/json' }, body: '{"fields": []}' })
    const run = await runAction(oauthInputs(sim, token, { ...SET, field: 'Build Result' }))
    assert.equal(run.code, 1)
    assert.match(
      run.log,
      /GET http:\/\/127\.0\.0\.1:\d+\/jira\/rest\/api\/2\/field answered an unexpected shape: the answer is an object, expected a list of fields\./
    )
  })
})

describe('bad input that is refused, not sent', () => {
  const base = { 'jira-url': 'https://jira.example.com/jira', field: 'customfield_10314', value: 'Build Passed' }
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a token with a non-Latin-1 character',
      { issue: 'CI-1', 'personal-access-token': 'tøken✓' },
      /input 'personal-access-token': holds a line break, a space or a character outside ASCII/
    ],
    ['a dotless i that upper-cases to another key', { issue: 'ıx-1', 'personal-access-token': 'pat' }, /input 'issue': "ıx-1" is not shaped like an issue key/],
    [
      'an issue number of absurd length',
      { issue: `CI-${'9'.repeat(40)}`, 'personal-access-token': 'pat' },
      /input 'issue': .* is not shaped like an issue key/
    ],
    [
      'fields nested thousands deep',
      { issue: 'CI-1', field: '', value: '', 'personal-access-token': 'pat', fields: `{"labels": ${'['.repeat(5000)}${']'.repeat(5000)}}` },
      /input 'fields': nests deeper than 32 levels/
    ],
    [
      'an RSA key under 1024 bits',
      {
        issue: 'CI-1',
        'consumer-key': CONSUMER_KEY,
        'access-token': 'tok',
        'private-key': generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      },
      /input 'private-key': is a 512-bit RSA key, too weak to sign with/
    ]
  ]
  for (const [name, inputs, message] of cases) {
    it(`refuses ${name}`, async () => {
      const run = await runAction({ ...base, ...inputs })
      assert.equal(run.code, 1)
      assert.equal(run.outputs.result, 'invalid')
      assert.match(run.log, message)
    })
  }

  it('warns of an RSA key under 2048 bits, and uses it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const token = newAccessToken()
    const sim = await startSimulator({ accessToken: token, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() })
    try {
      const run = await runAction({ ...oauthInputs(sim, token, SET), 'private-key': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })
      assert.equal(run.code, 0, run.log)
      assert.match(run.log, /::warning::The private key has 1024 bits; 2048 or more is advised/)
    } finally {
      await sim.close()
    }
  })
})
