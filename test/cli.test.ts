import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { X509Certificate, createPublicKey } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { baseEnv, CONSUMER_KEY, newAccessToken, ROOT, runCli, startSimulator, tempDir, testKeys, verificationCodeFrom } from './helpers.js'
import { JiraSimulator } from './sim/jira.js'

const CLI = join(ROOT, 'dist/cli/index.js')
const cli = (args: string[], env: Record<string, string | undefined> = {}, input?: string) => runCli(args, env, input)

/** Fetches the approval page as the user's browser would, and reads the code Jira shows. */
async function approve(authorizeUrl: string): Promise<string> {
  const page = await (await fetch(authorizeUrl)).text()
  const code = verificationCodeFrom(page)
  assert.ok(code, page)
  return code
}

describe('the bundled CLI: the credential lifecycle, as a Jenkins agent runs it', () => {
  const dir = tempDir('jbr-cli-')
  let sim: JiraSimulator

  before(async () => {
    const keygen = await cli(['keygen', '--out', dir, '--json'])
    assert.equal(keygen.code, 0, keygen.stderr)
    const written = JSON.parse(keygen.stdout) as { privateKey: string; publicKey: string; certificate: string; publicKeyPem: string }
    assert.equal(written.privateKey, join(dir, 'jira_privatekey.pem'))
    sim = await JiraSimulator.start({ publicKeyPem: readFileSync(written.publicKey, 'utf8'), consumerKey: CONSUMER_KEY })
  })
  after(() => sim.close())

  // What Jenkins' withCredentials([string(...), file(...)]) binds: a string and a file path.
  const consumerEnv = () => ({ JIRA_CONSUMER_KEY: CONSUMER_KEY, JIRA_PRIVATE_KEY_FILE: join(dir, 'jira_privatekey.pem') })

  it('keygen writes a 0600 PKCS#8 key, its public key and a matching self-signed certificate', () => {
    const privatePem = readFileSync(join(dir, 'jira_privatekey.pem'), 'utf8')
    assert.match(privatePem, /^-----BEGIN PRIVATE KEY-----/)
    assert.equal(statSync(join(dir, 'jira_privatekey.pem')).mode & 0o777, 0o600)
    const certificate = new X509Certificate(readFileSync(join(dir, 'jira_certificate.pem')))
    const publicPem = readFileSync(join(dir, 'jira_publickey.pem'), 'utf8')
    assert.equal(certificate.publicKey.export({ type: 'spki', format: 'pem' }), createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }))
    assert.equal(createPublicKey(publicPem).export({ type: 'spki', format: 'pem' }), publicPem)
    assert.ok(certificate.verify(certificate.publicKey), 'self-signed')
  })

  it('keygen refuses to overwrite existing files unless --force', async () => {
    const again = await cli(['keygen', '--out', dir])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /already exist.*Pass --force/)
  })

  it('walks keygen → request-token → approval → access-token → check → update', async () => {
    const request = await cli(['request-token', '--jira-url', sim.baseUrl, '--json'], consumerEnv())
    assert.equal(request.code, 0, request.stderr)
    const { authorizeUrl, requestToken, requestTokenSecret, expiresAt } = JSON.parse(request.stdout) as Record<string, string>
    assert.equal(authorizeUrl, `${sim.baseUrl}/plugins/servlet/oauth/authorize?oauth_token=${requestToken}`)
    assert.ok(requestTokenSecret)
    // The expiry itself is checked on a fixed clock in dance.test.ts.
    assert.match(expiresAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)

    const verifier = await approve(authorizeUrl)
    const access = await cli(['access-token', '--jira-url', sim.baseUrl, '--request-token', requestToken, '--verifier', verifier, '--json'], consumerEnv())
    assert.equal(access.code, 0, access.stderr)
    const { accessToken, expiresAt: accessExpiry } = JSON.parse(access.stdout) as Record<string, string>
    assert.ok(sim.accessTokens.has(accessToken))
    assert.match(accessExpiry, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)

    const env = { ...consumerEnv(), JIRA_ACCESS_TOKEN: accessToken }
    const check = await cli(['check', '--jira-url', sim.baseUrl, '--json'], env)
    assert.equal(check.code, 0, check.stderr)
    assert.deepEqual(JSON.parse(check.stdout), { user: 'ci-bot', displayName: 'Ci Bot', authMode: 'oauth' })

    const update = await cli(
      [
        'update',
        '--issue',
        'CI-1',
        '--field',
        'customfield_10314',
        '--value',
        'Development Completed',
        '--set',
        'Labels += ci',
        '--set',
        'Build Number = 7',
        '--json'
      ],
      { ...env, JIRA_URL: sim.baseUrl }
    )
    assert.equal(update.code, 0, update.stderr)
    assert.deepEqual(JSON.parse(update.stdout), {
      updated: ['CI-1'],
      unchanged: [],
      failed: [],
      result: 'updated',
      issues: [
        {
          issueKey: 'CI-1',
          outcome: 'updated',
          changes: [
            { target: 'customfield_10314', origin: '--field', action: 'set', value: 'Development Completed', outcome: 'set' },
            { target: 'Labels (labels)', origin: '--set line 1', action: 'add', value: 'ci', outcome: 'added' },
            { target: 'Build Number (customfield_10316)', origin: '--set line 2', action: 'set', value: '7', outcome: 'set' }
          ]
        }
      ]
    })
    assert.deepEqual(sim.issues.get('CI-1')?.fields.labels, ['ci'])
    assert.equal((sim.issues.get('CI-1')?.fields.customfield_10314 as { value?: string })?.value, 'Development Completed')
  })

  it('refuses to exchange a request token twice, and a wrong verification code', async () => {
    const request = JSON.parse((await cli(['request-token', '--jira-url', sim.baseUrl, '--json'], consumerEnv())).stdout) as Record<string, string>
    const verifier = await approve(request.authorizeUrl)
    const wrong = await cli(['access-token', '--jira-url', sim.baseUrl, '--request-token', request.requestToken, '--verifier', 'nope'], consumerEnv())
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /oauth_problem=token_rejected/)
    assert.equal(
      (await cli(['access-token', '--jira-url', sim.baseUrl, '--request-token', request.requestToken, '--verifier', verifier], consumerEnv())).code,
      0
    )
    const twice = await cli(['access-token', '--jira-url', sim.baseUrl, '--request-token', request.requestToken, '--verifier', verifier], consumerEnv())
    assert.equal(twice.code, 1)
    assert.match(twice.stderr, /oauth_problem=token_used\. The request token was already exchanged/)
  })

  it('authorize reads the verification code at the terminal and prints the gh secret commands', async () => {
    const child = spawn(process.execPath, [CLI, 'authorize', '--jira-url', sim.baseUrl, '--repo', 'acme/app'], {
      env: { ...baseEnv(), ...consumerEnv() }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', chunk => {
        stderr += chunk
        const match = /(http:\/\/\S+\/plugins\/servlet\/oauth\/authorize\?oauth_token=\w+)/.exec(stderr)
        if (match && stderr.includes('Verification code: ')) resolve(match[1])
      })
      child.on('close', () => reject(new Error(`authorize ended early: ${stderr}`)))
    })
    child.stdin.end(`${await approve(url)}\n`)
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    assert.equal(code, 0, stderr)
    const token = /access token: (\w+)/.exec(stdout)?.[1] ?? ''
    assert.ok(sim.accessTokens.has(token))
    assert.match(stdout, /gh secret set JIRA_CONSUMER_KEY --repo acme\/app --body 'jira-build-result'/)
    assert.match(stdout, new RegExp(`gh secret set JIRA_PRIVATE_KEY --repo acme/app < ${join(dir, 'jira_privatekey.pem')}`))
    assert.match(stdout, /gh secret set JIRA_ACCESS_TOKEN --repo acme\/app/)
  })
})

describe('the CLI usage', () => {
  it('answers --help on every command, and exits 2 on an unknown flag or command', async () => {
    for (const command of ['update', 'keygen', 'request-token', 'access-token', 'authorize', 'check']) {
      const help = await cli([command, '--help'])
      assert.equal(help.code, 0)
      assert.match(help.stdout, new RegExp(`^Usage: jira-build-result ${command}`))
    }
    const top = await cli(['--help'])
    assert.match(top.stdout, /Exit codes: 0 done, 1 Jira refused or failed, 2 bad usage or input/)
    assert.equal((await cli(['update', '--token', 'x'])).code, 2)
    assert.equal((await cli(['deploy'])).code, 2)
  })

  it("prints package.json's version for --version and -V", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) {
      const run = await cli([flag])
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout.trim(), version)
    }
  })

  it("speaks the command line's words in every command's help, and lists --debug and JIRA_PRIVATE_KEY_FILE", async () => {
    for (const command of ['update', 'keygen', 'request-token', 'access-token', 'authorize', 'check']) {
      const help = (await cli([command, '--help'])).stdout
      // The action's words: YAML-quoted booleans, the step, GitHub's expressions, secrets stores.
      assert.doesNotMatch(help, /'true'|'false'|\bstep\b|job\.status|Pass it from a secret|\binput\b/, command)
      assert.match(help, /--debug\n\s+Also print/, command)
    }
    const update = (await cli(['update', '--help'])).stdout
    assert.match(update, /JIRA_PRIVATE_KEY or JIRA_PRIVATE_KEY_FILE\n/)
    assert.match(update, /--dry-run\n\s+A switch \(no value\)[^\n]*\n/)
    assert.doesNotMatch(/--dry-run\n[^\n]*\n/.exec(update)?.[0] ?? '', /Default/)
    assert.match(update, /--value=-1/)
    assert.match(update, /NOT_BUILT/)
  })

  it('refuses --value -1 with the hint to write --value=-1, and takes --value=-1', async () => {
    const spaced = await cli(['update', '--jira-url', 'http://127.0.0.1:9/jira', '--issue', 'CI-1', '--field', 'Story Points', '--value', '-1'])
    assert.equal(spaced.code, 2)
    assert.match(spaced.stderr, /--value=-/)
    // With no credentials and --fail-on-error false, a value that parsed ends as no-credentials.
    const joined = await cli([
      'update',
      '--jira-url',
      'http://127.0.0.1:9/jira',
      '--issue',
      'CI-1',
      '--field',
      'Story Points',
      '--value=-1',
      '--fail-on-error',
      'false',
      '--json'
    ])
    assert.equal(joined.code, 0, joined.stderr)
    assert.equal((JSON.parse(joined.stdout) as { result: string }).result, 'no-credentials')
  })
})

describe('the CLI with other ways to authenticate', () => {
  let sim: JiraSimulator
  const pat = newAccessToken()
  const apiToken = newAccessToken()
  const token = newAccessToken()
  const clientSecret = newAccessToken()
  before(async () => {
    sim = await startSimulator({
      accessToken: token,
      personalAccessTokens: { [pat]: 'pat-user' },
      basicUsers: { 'ci@example.com': apiToken },
      serviceAccounts: { 'jenkins-client': { secret: clientSecret, user: 'svc-jenkins', scopes: ['READ', 'WRITE'] } }
    })
  })
  after(() => sim.close())
  const update = ['update', '--issue', 'CI-2', '--field', 'customfield_10314', '--value', 'Build Passed']

  it('updates a field with a personal access token (Bearer)', async () => {
    const run = await cli([...update, '--jira-url', sim.baseUrl, '--debug'], { JIRA_PERSONAL_ACCESS_TOKEN: pat })
    assert.equal(run.code, 0, run.stderr)
    // --debug: the mode and each request, on stderr (runCli checks no secret shows).
    assert.match(run.stderr, /^debug: Authenticating to \S+ with a personal access token \(Authorization: Bearer\)\.$/m)
    assert.match(run.stderr, /^debug: PUT http:\/\/127\.0\.0\.1:\d+\S*\/rest\/api\/2\/issue\/CI-2 → HTTP 204$/m)
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-2', 'PUT').at(-1)?.user, 'pat-user')
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-2', 'PUT').at(-1)?.authorization, `Bearer ${pat}`)
  })

  it('updates a field with basic auth and an API token, warning about plain http', async () => {
    const run = await cli([...update.slice(0, -1), 'Build Failed', '--jira-url', sim.baseUrl, '--user', 'ci@example.com'], { JIRA_API_TOKEN: apiToken })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /warning: Basic auth over plain http/)
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-2', 'PUT').at(-1)?.user, 'ci@example.com')
  })

  it('updates a field as a service account (client credentials) and check names the account, no token shown', async () => {
    const env = { JIRA_URL: sim.baseUrl, JIRA_CLIENT_ID: 'jenkins-client', JIRA_CLIENT_SECRET: clientSecret }
    const check = await cli(['check', '--scope', 'WRITE'], env)
    assert.equal(check.code, 0, check.stderr)
    assert.match(
      check.stdout,
      new RegExp(
        `Authenticated to ${sim.baseUrl} with OAuth 2\\.0 client credentials \\(service account\\): the service account acts as svc-jenkins \\(Svc Jenkins\\)\\.`
      )
    )
    const tokensBefore = sim.tokenRequests
    const run = await cli(['update', '--issue', 'CI-3', '--field', 'customfield_10314', '--value', 'Build Passed', '--client-id', 'jenkins-client', '--json'], {
      JIRA_URL: sim.baseUrl,
      JIRA_CLIENT_SECRET: clientSecret
    })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-3', 'PUT').at(-1)?.user, 'svc-jenkins')
    assert.equal(sim.tokenRequests, tokensBefore + 1)
    assert.match(run.stderr, /warning: Client credentials over plain http/)
    for (const issued of sim.issuedTokens.keys()) assert.ok(!run.stdout.includes(issued) && !run.stderr.includes(issued) && !check.stdout.includes(issued))
  })

  it('stops at a rotated client secret, naming both inputs, after one request', async () => {
    const before = sim.requests.length
    const run = await cli([...update, '--jira-url', sim.baseUrl, '--client-id', 'jenkins-client'], { JIRA_CLIENT_SECRET: 'rotated-secret-000' })
    assert.equal(run.code, 1)
    assert.match(
      run.stderr,
      /refused the client \(invalid_client: Client authentication failed\)\. Check --client-id \(or JIRA_CLIENT_ID\) and JIRA_CLIENT_SECRET/
    )
    assert.doesNotMatch(run.stderr, /rotated-secret-000/)
    assert.deepEqual(
      sim.requests.slice(before).map(r => `${r.method} ${r.path} ${r.status}`),
      ['POST /rest/oauth2/latest/token 401']
    )
  })

  it('fails clearly, sending nothing, when two ways to authenticate are configured', async () => {
    const before = sim.requests.length
    const run = await cli([...update, '--jira-url', sim.baseUrl], { JIRA_PERSONAL_ACCESS_TOKEN: pat, JIRA_USER: 'x', JIRA_API_TOKEN: apiToken })
    assert.equal(run.code, 2)
    assert.match(
      run.stderr,
      /credentials for 2 ways to authenticate are set \(pat, basic\); configure exactly one \(OAuth 1\.0a: --consumer-key \(or JIRA_CONSUMER_KEY\), JIRA_PRIVATE_KEY \(or JIRA_PRIVATE_KEY_FILE\), JIRA_ACCESS_TOKEN; personal access token: JIRA_PERSONAL_ACCESS_TOKEN; basic with an API token: --user \(or JIRA_USER\) and JIRA_API_TOKEN; service account \(OAuth 2\.0 client credentials\): --client-id \(or JIRA_CLIENT_ID\) and JIRA_CLIENT_SECRET\)/
    )
    assert.equal(sim.requests.length, before)
  })

  it('fails clearly when no way to authenticate is configured', async () => {
    const before = sim.requests.length
    const run = await cli([...update, '--jira-url', sim.baseUrl])
    assert.equal(run.code, 2)
    assert.match(run.stderr, /error: No credentials are configured \(OAuth 1\.0a: --consumer-key \(or JIRA_CONSUMER_KEY\)/)
    // Jenkins runs for outside contributors bind no credentials: with --fail-on-error false, a green build.
    const green = await cli([...update, '--jira-url', sim.baseUrl, '--fail-on-error', 'false', '--json'])
    assert.equal(green.code, 0)
    assert.equal((JSON.parse(green.stdout) as { result: string }).result, 'no-credentials')
    assert.match(green.stderr, /warning: No credentials are configured/)
    assert.equal(sim.requests.length, before)
  })

  it('check says which way to authenticate was chosen and which of its variables are missing', async () => {
    const before = sim.requests.length
    const none = await cli(['check', '--jira-url', sim.baseUrl])
    assert.equal(none.code, 2)
    assert.match(none.stderr, /^error: No credentials are given: none of the inputs of any way to authenticate is set\. Configure exactly one \(OAuth 1\.0a: /)
    const consumerOnly = await cli(['check', '--jira-url', sim.baseUrl], { JIRA_CONSUMER_KEY: CONSUMER_KEY, JIRA_ACCESS_TOKEN: '' })
    assert.equal(consumerOnly.code, 2)
    assert.match(
      consumerOnly.stderr,
      /^error: OAuth 1\.0a is the way to authenticate chosen, because --consumer-key \(or JIRA_CONSUMER_KEY\) is set; it also needs JIRA_PRIVATE_KEY \(or JIRA_PRIVATE_KEY_FILE\) \(not set\) and JIRA_ACCESS_TOKEN \(empty\)\./
    )
    assert.equal(sim.requests.length, before)
  })

  it('check reports refused basic credentials, then the CAPTCHA they lead to', async () => {
    const wrong = { JIRA_USER: 'ci@example.com', JIRA_API_TOKEN: 'wrong' }
    for (let i = 0; i < 3; i++) {
      const run = await cli(['check', '--jira-url', sim.baseUrl], wrong)
      assert.equal(run.code, 1)
      assert.match(
        run.stderr,
        /Jira did not accept the user and API token \(basic auth\) and answered as an anonymous user \(HTTP 401, X-Seraph-LoginReason: AUTHENTICATED_FAILED\),.*Check --user \(or JIRA_USER\) and JIRA_API_TOKEN \(Jira tried them and they failed/
      )
      assert.doesNotMatch(run.stderr, /For OAuth/)
    }
    const locked = await cli(['check', '--jira-url', sim.baseUrl, '--json'], wrong)
    assert.equal(locked.code, 1)
    assert.equal((JSON.parse(locked.stdout) as { result: string }).result, 'captcha')
    assert.match(locked.stderr, /CAPTCHA.*login\.jsp/)
  })

  it('reads a private key file bound by Jenkins and says which variable is wrong when it is missing', async () => {
    const run = await cli([...update, '--jira-url', sim.baseUrl], {
      JIRA_CONSUMER_KEY: CONSUMER_KEY,
      JIRA_ACCESS_TOKEN: 'x',
      JIRA_PRIVATE_KEY_FILE: '/nonexistent/key.pem'
    })
    assert.equal(run.code, 2)
    assert.match(run.stderr, /JIRA_PRIVATE_KEY_FILE: cannot read \/nonexistent\/key\.pem \(ENOENT\)/)

    // And with the file present, the same run goes through on the key it holds.
    const dir = tempDir('jbr-key-')
    const keyFile = join(dir, 'jenkins-secret-file.pem')
    writeFileSync(keyFile, testKeys().pkcs8)
    const bound = await cli([...update, '--jira-url', sim.baseUrl, '--dry-run'], {
      JIRA_CONSUMER_KEY: CONSUMER_KEY,
      JIRA_ACCESS_TOKEN: token,
      JIRA_PRIVATE_KEY_FILE: keyFile
    })
    assert.equal(bound.code, 0, bound.stderr)
    assert.match(bound.stderr, /\[dry-run\] PUT /)
  })
})
