/**
 * A cancel at the very start of a run, and keygen's files: both front ends catch SIGTERM before
 * they read any input, and keygen never writes through a file or link planted at its paths.
 */
import assert from 'node:assert/strict'
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { baseEnv, CONSUMER_KEY, newAccessToken, oauthInputs, runAction, runCli, startSimulator, tempDir, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

/**
 * A preload that sends the process SIGTERM the moment it first reads an environment variable
 * starting with SIGTERM_ON_READ: for the action an INPUT_ variable, for the CLI a JIRA_ one.
 * That is before any request, and before the old front ends installed their handlers.
 */
function signalPreload(): string {
  const path = join(tempDir('jbr-signal-'), 'sigterm-on-read.cjs')
  writeFileSync(
    path,
    `const real = process.env
const prefix = real.SIGTERM_ON_READ
let sent = false
process.env = new Proxy(real, {
  get(target, key) {
    if (!sent && typeof key === 'string' && key.startsWith(prefix)) {
      sent = true
      process.kill(process.pid, 'SIGTERM')
    }
    return Reflect.get(target, key)
  }
})
`
  )
  return path
}

describe('a SIGTERM before the first input is read', () => {
  let sim: JiraSimulator
  let token: string
  let preload: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
    preload = signalPreload()
  })
  after(() => sim.close())

  it('ends the action cancelled, with its outputs and summary, writing nothing', async () => {
    sim.requests.length = 0
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1 CI-2', field: 'customfield_10314', value: 'Build Passed' }), {
      NODE_OPTIONS: `--require ${preload}`,
      SIGTERM_ON_READ: 'INPUT_'
    })
    assert.equal(run.code, 1, run.stderr)
    assert.deepEqual(run.outputs, { updated: '', unchanged: '', failed: 'CI-1,CI-2', result: 'cancelled' })
    assert.match(run.summary, /### Jira build result: cancelled/)
    assert.match(run.log, /::error::result=cancelled/)
    assert.equal(sim.requestsTo('/rest/api/2/issue', 'PUT').length, 0)
  })

  it('ends the CLI cancelled with exit code 130 and its JSON outcome', async () => {
    sim.requests.length = 0
    const run = await runCli(['update', '--issue', 'CI-1', '--field', 'customfield_10314', '--value', 'Build Passed', '--json'], {
      ...baseEnv(),
      JIRA_URL: sim.baseUrl,
      JIRA_CONSUMER_KEY: CONSUMER_KEY,
      JIRA_PRIVATE_KEY: testKeys().pkcs8,
      JIRA_ACCESS_TOKEN: token,
      NODE_OPTIONS: `--require ${preload}`,
      SIGTERM_ON_READ: 'JIRA_'
    })
    assert.equal(run.code, 130, run.stderr)
    assert.equal((JSON.parse(run.stdout) as { result: string }).result, 'cancelled')
    assert.equal(sim.requestsTo('/rest/api/2/issue', 'PUT').length, 0)
  })
})

describe('keygen creates its files exclusively', () => {
  const keyPath = (dir: string) => join(dir, 'jira_privatekey.pem')

  it('refuses a dangling symbolic link at its path, and writes nothing through it', async () => {
    const dir = tempDir('jbr-keygen-')
    const target = join(dir, 'elsewhere.pem')
    symlinkSync(target, keyPath(dir))
    const run = await runCli(['keygen', '--out', dir], baseEnv())
    assert.equal(run.code, 2)
    assert.equal(run.stderr.trim(), `error: ${keyPath(dir)} (a symbolic link) already exists. Pass --force to replace it, or --out DIR for another folder.`)
    assert.ok(!existsSync(target), 'nothing written to the link target')
    assert.ok(lstatSync(keyPath(dir)).isSymbolicLink())
    assert.ok(!existsSync(join(dir, 'jira_publickey.pem')))
  })

  it('with --force replaces the link itself, never its target', async () => {
    const dir = tempDir('jbr-keygen-')
    const dangling = join(dir, 'elsewhere.pem')
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'keep me\n')
    symlinkSync(dangling, keyPath(dir))
    symlinkSync(victim, join(dir, 'jira_publickey.pem'))
    const run = await runCli(['keygen', '--out', dir, '--force'], baseEnv())
    assert.equal(run.code, 0, run.stderr)
    for (const name of ['jira_privatekey.pem', 'jira_publickey.pem', 'jira_certificate.pem']) {
      const entry = lstatSync(join(dir, name))
      assert.ok(entry.isFile() && !entry.isSymbolicLink(), name)
    }
    assert.equal(lstatSync(keyPath(dir)).mode & 0o777, 0o600)
    assert.match(readFileSync(keyPath(dir), 'utf8'), /^-----BEGIN PRIVATE KEY-----/)
    assert.ok(!existsSync(dangling), 'nothing written to the dangling target')
    assert.equal(readFileSync(victim, 'utf8'), 'keep me\n')
  })

  it('refuses an existing file unless --force, and a folder even with it', async () => {
    const dir = tempDir('jbr-keygen-')
    writeFileSync(join(dir, 'jira_certificate.pem'), 'old\n')
    const refused = await runCli(['keygen', '--out', dir], baseEnv())
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /jira_certificate\.pem already exists\. Pass --force/)
    assert.equal(readFileSync(join(dir, 'jira_certificate.pem'), 'utf8'), 'old\n')
    assert.ok(!existsSync(keyPath(dir)))
    mkdirSync(keyPath(dir))
    const folder = await runCli(['keygen', '--out', dir, '--force'], baseEnv())
    assert.equal(folder.code, 2)
    assert.match(folder.stderr, /jira_privatekey\.pem is a folder/)
  })
})
