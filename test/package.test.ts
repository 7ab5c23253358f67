/**
 * The npm package as a Jenkins agent gets it: packed, installed from the tarball into an empty
 * prefix with the registry unreachable, and run through a real update.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { baseEnv, CONSUMER_KEY, newAccessToken, ROOT, runNode, startSimulator, tempDir, testKeys } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

describe('the npm package, installed from its tarball', () => {
  let prefix: string
  let installLog: string
  let sim: JiraSimulator
  let token: string
  before(async () => {
    const dir = tempDir('jbr-pack-')
    const tarball = execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }).trim()
    prefix = join(dir, 'prefix')
    // --offline: the registry is unreachable; the tarball must need nothing from it.
    installLog = execFileSync(
      npm,
      ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, '--cache', join(dir, 'cache'), join(dir, tarball)],
      {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, npm_config_loglevel: 'warn' }
      }
    )
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  const installed = (): string => join(prefix, 'lib', 'node_modules', 'jira-build-result')

  it('installs nothing but itself, with no engine warning', () => {
    assert.ok(existsSync(join(installed(), 'dist', 'cli', 'index.js')))
    assert.equal(existsSync(join(installed(), 'node_modules')), false, 'a dependency was installed')
    assert.doesNotMatch(installLog, /EBADENGINE|engine/i)
    const manifest = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8')) as { dependencies?: object; version: string }
    assert.equal(manifest.dependencies, undefined)
    assert.deepEqual(readdirSync(installed()).sort(), ['CHANGELOG.md', 'LICENSE', 'README.md', 'action.yml', 'dist', 'package.json'])
  })

  it('runs the installed jira-build-result binary through a real update', async () => {
    const binary = join(prefix, 'bin', 'jira-build-result')
    const run = await runNode(
      binary,
      ['update', '--jira-url', sim.baseUrl, '--issue', 'CI-3', '--field', 'Build Result', '--value', 'Build Passed', '--json'],
      {
        ...baseEnv(),
        JIRA_CONSUMER_KEY: CONSUMER_KEY,
        JIRA_PRIVATE_KEY: testKeys().pkcs8,
        JIRA_ACCESS_TOKEN: token
      }
    )
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual((JSON.parse(run.stdout) as { updated: string[] }).updated, ['CI-3'])
    assert.equal((sim.issues.get('CI-3')?.fields.customfield_10314 as { value?: string } | undefined)?.value, 'Build Passed')
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-3', 'PUT').at(-1)?.user, 'ci-bot')
  })
})
