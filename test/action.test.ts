import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseEnv } from 'node:util'
import { newAccessToken, oauthInputs, ROOT, runAction, startSimulator, tempDir } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

describe('the bundled action, run as the Actions runner runs it', () => {
  let sim: JiraSimulator
  let token: string

  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token, contextPath: '/jira' })
  })
  after(() => sim.close())

  const fresh = async (setup?: (s: JiraSimulator) => void): Promise<{ sim: JiraSimulator; token: string; close: () => Promise<void> }> => {
    const accessToken = newAccessToken()
    const s = await startSimulator({ accessToken })
    setup?.(s)
    return { sim: s, token: accessToken, close: () => s.close() }
  }

  it('sets a select field from editmeta with a signed PUT under a context path and a non-default port', async () => {
    assert.match(sim.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/jira$/)
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }))
    assert.equal(run.code, 0, run.log)
    assert.equal((sim.issues.get('CI-1')?.fields.customfield_10314 as { value?: string })?.value, 'Build Passed')
    const put = sim.requestsTo('/rest/api/2/issue/CI-1', 'PUT')
    assert.equal(put.length, 1)
    assert.equal(put[0].status, 204)
    assert.equal(put[0].user, 'ci-bot')
    assert.equal(put[0].contentType, 'application/json')
    assert.deepEqual(JSON.parse(put[0].body), { fields: { customfield_10314: { value: 'Build Passed' } } })
    // One GET (value and editmeta together) and one PUT.
    assert.deepEqual(
      sim.requestsTo('/rest/api/2/issue/CI-1').map(r => `${r.method} ${r.status}`),
      ['GET 200', 'PUT 204']
    )
    assert.deepEqual(run.outputs, { updated: 'CI-1', unchanged: '', failed: '', result: 'updated' })
    assert.match(run.summary, /\| \[CI-1\]\(http:\/\/127\.0\.0\.1:\d+\/jira\/browse\/CI-1\) \| customfield_10314 \| = Build Passed \| ✅ set \|/)
  })

  it('records the build in one step: the result, more fields, the link to the run and a comment, each with its outcome in the summary', async () => {
    // A simulator of its own: the other tests here expect CI-5 untouched.
    const { sim, token, close } = await fresh()
    try {
      const env = {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_RUN_ID: '8123',
        GITHUB_RUN_NUMBER: '57',
        GITHUB_WORKFLOW: 'CI'
      }
      const inputs = oauthInputs(sim, token, {
        issue: 'CI-5',
        field: 'Build Result',
        status: 'failure',
        'value-map': 'success=Build Passed, failure=Build Failed',
        set: 'Build Link = {run_url}\nLabels += ci-{status}',
        'remote-link': 'Build #{run_number}: {status}',
        comment: 'Build #{run_number} {status}: {run_url}',
        'comment-on': 'failure'
      })
      const run = await runAction(inputs, env)
      assert.equal(run.code, 0, run.log)
      assert.deepEqual(run.outputs, { updated: 'CI-5', unchanged: '', failed: '', result: 'updated' })
      const issue = sim.issues.get('CI-5')
      assert.equal(issue?.fields.customfield_10315, 'https://github.com/acme/app/actions/runs/8123')
      assert.deepEqual(issue?.fields.labels, ['ci-failure'])
      assert.equal(issue?.remoteLinks?.[0].object.title, 'Build #57: failure')
      assert.deepEqual(
        issue?.comments?.map(c => c.body),
        ['Build #57 failure: https://github.com/acme/app/actions/runs/8123']
      )
      assert.match(run.summary, /\| Build Result \(customfield_10314\) \| = Build Failed \| ✅ set \|/)
      assert.match(run.summary, /\| Labels \(labels\) \| \+= ci-failure \| ✅ added \|/)
      assert.match(run.summary, /\| remote link \| Build #57: failure \| ✅ added \|/)
      assert.match(run.summary, /\| comment \| Build #57 failure: https:\/\/github\.com\/acme\/app\/actions\/runs\/8123 \| ✅ posted \|/)
      assert.match(
        run.log,
        /CI-5: updated Build Result \(customfield_10314\) = Build Failed, Build Link \(customfield_10315\) = https:.*, Labels \(labels\) \+= ci-failure, remote link "Build #57: failure" added, comment posted/
      )

      // The same step again: the fields hold their values, the link is updated in place, and the comment is posted again.
      const again = await runAction(inputs, env)
      assert.equal(again.code, 0, again.log)
      assert.match(again.summary, /\| Labels \(labels\) \| \+= ci-failure \| ✅ unchanged \|/)
      assert.match(again.summary, /\| remote link \| Build #57: failure \| ✅ updated \|/)
      assert.equal(sim.issues.get('CI-5')?.remoteLinks?.length, 1)
      assert.equal(sim.requestsTo('/rest/api/2/issue/CI-5', 'PUT').length, 1)
    } finally {
      await close()
    }
  })

  it("prints, as ::debug:: lines, the auth mode, the field's type and each request's method, URL and status", async () => {
    const { sim, token, close } = await fresh()
    try {
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'Build Result', value: 'Build Passed' }))
      assert.equal(run.code, 0, run.log)
      const debug = run.log
        .split('\n')
        .filter(line => line.startsWith('::debug::'))
        .join('\n')
      const base = sim.baseUrl.replace(/[.]/g, '\\.')
      assert.match(debug, new RegExp(`^::debug::Authenticating to ${base} with OAuth 1\\.0a \\(RSA-SHA1, consumer key jira-build-result\\)\\.$`, 'm'))
      assert.match(debug, new RegExp(`^::debug::GET ${base}/rest/api/2/field → HTTP 200$`, 'm'))
      assert.match(debug, new RegExp(`^::debug::GET ${base}/rest/api/2/issue/CI-1\\?fields=customfield_10314&expand=editmeta → HTTP 200$`, 'm'))
      assert.match(
        debug,
        /^::debug::CI-1: Build Result \(customfield_10314\) is a field of type option \(com\.atlassian\.jira\.plugin\.system\.customfieldtypes:select\)\.$/m
      )
      assert.match(debug, new RegExp(`^::debug::PUT ${base}/rest/api/2/issue/CI-1 → HTTP 204$`, 'm'))
    } finally {
      await close()
    }
  })

  it('reports a GITHUB_OUTPUT it cannot write as an error annotation, not a stack trace, and still writes the summary', async () => {
    const { sim, token, close } = await fresh()
    try {
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }), {
        GITHUB_OUTPUT: '/nonexistent/jbr-runner-files/output'
      })
      assert.equal(run.code, 1)
      assert.match(
        run.log,
        /^::error title=Outputs not written::The step's outputs could not be written \(Missing file at path: \/nonexistent\/jbr-runner-files\/output\), so later steps do not see updated, unchanged, failed, result\./m
      )
      assert.doesNotMatch(`${run.stdout}\n${run.stderr}`, /^\s+at /m)
      assert.equal((sim.issues.get('CI-1')?.fields.customfield_10314 as { value?: string })?.value, 'Build Passed')
      assert.match(run.summary, /\[CI-1\].*✅ set/)
    } finally {
      await close()
    }
  })

  it('updates the other issues when one of three fails, and reports all three', async () => {
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-2, CI-404\nCI-3', field: 'customfield_10314', value: 'Build Failed' }))
    assert.equal(run.code, 1)
    assert.deepEqual(run.outputs, { updated: 'CI-2,CI-3', unchanged: '', failed: 'CI-404', result: 'not-found' })
    assert.equal((sim.issues.get('CI-2')?.fields.customfield_10314 as { value?: string })?.value, 'Build Failed')
    assert.equal((sim.issues.get('CI-3')?.fields.customfield_10314 as { value?: string })?.value, 'Build Failed')
    assert.match(run.log, /::error title=Jira issue not found \(CI-404\)::CI-404: Jira answered 404 Not Found: Issue Does Not Exist/)
    assert.match(run.summary, /CI-404.*❌ failed: Jira answered 404 Not Found/)
    assert.match(run.summary, /CI-2.*✅ set/)
  })

  it('refuses an option that does not exist and lists the allowed ones, sending no PUT', async () => {
    const before = sim.requestsTo('/rest/api/2/issue/CI-4', 'PUT').length
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-4', field: 'customfield_10314', value: 'Passed-ish' }))
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(
      run.log,
      /"Passed-ish" is not an option of customfield_10314 \(Build Result\)\. Use one of: "Build Passed", "Build Failed", "Build Aborted", "Build Unstable", "Development Completed"/
    )
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-4', 'PUT').length, before)
  })

  it('says a field is not on the edit screen before sending the PUT', async () => {
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-4', field: 'customfield_11623', value: 'x' }))
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(run.log, /Field customfield_11623 is not on the edit screen of CI-4/)
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-4', 'PUT').length, 0)
  })

  it('prints what it would send on a dry run, Authorization redacted, and writes nothing', async () => {
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-5', field: 'customfield_10314', value: 'build passed', 'dry-run': 'true' }))
    assert.equal(run.code, 0)
    assert.equal(run.outputs.result, 'dry-run')
    assert.match(
      run.log,
      new RegExp(
        `\\[dry-run\\] PUT ${sim.baseUrl}/rest/api/2/issue/CI-5\\nContent-Type: application/json\\nAuthorization: <redacted>\\n\\{"fields":\\{"customfield_10314":\\{"value":"Build Passed"\\}\\}\\}`
      )
    )
    assert.equal(sim.requestsTo('/rest/api/2/issue/CI-5', 'PUT').length, 0)
    assert.equal(sim.issues.get('CI-5')?.fields.customfield_10314, undefined)
  })

  it('keeps the step green with fail-on-error false and warns instead', async () => {
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-404', field: 'customfield_10314', value: 'Build Passed', 'fail-on-error': 'false' }))
    assert.equal(run.code, 0)
    assert.equal(run.outputs.result, 'not-found')
    assert.match(run.log, /::warning title=Jira issue not found \(CI-404\)::/)
    assert.doesNotMatch(run.log, /::error/)
  })

  it('sends a raw fields JSON object as given', async () => {
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-5', fields: '{"labels": ["ci", "green"]}' }))
    assert.equal(run.code, 0, run.log)
    assert.deepEqual(sim.issues.get('CI-5')?.fields.labels, ['ci', 'green'])
  })

  describe('refusals, each explained, with one request per issue and no retry', () => {
    it('reports a CAPTCHA lockout with the login URL Jira names', async () => {
      const f = await fresh(s => (s.mode = 'captcha'))
      try {
        const run = await runAction(oauthInputs(f.sim, f.token, { issue: 'CI-1 CI-2 CI-3', field: 'customfield_10314', value: 'Build Passed' }))
        assert.equal(run.code, 1)
        assert.equal(run.outputs.result, 'captcha')
        assert.match(
          run.log,
          new RegExp(`Log in once in a browser at ${f.sim.baseUrl}/login.jsp and solve the CAPTCHA, or ask a Jira admin to reset the user's failed login count`)
        )
        assert.match(run.log, /::error title=Jira CAPTCHA lockout \(CI-1\)::/)
        // The first refusal stops the run: further requests would add to the failed-login count.
        assert.equal(f.sim.requests.length, 1)
        assert.deepEqual(run.outputs, { updated: '', unchanged: '', failed: 'CI-1,CI-2,CI-3', result: 'captcha' })
        // The issues not attempted share one annotation, so the cause and the closing line stay visible.
        assert.match(
          run.log,
          /::error title=Not attempted \(2 issues\)::2 issue\(s\) not attempted because an earlier request failed in a way every request would.*: CI-2, CI-3\./
        )
      } finally {
        await f.close()
      }
    })

    it('reports a revoked access token as token_rejected and stops there', async () => {
      const f = await fresh()
      f.sim.revoke(f.token)
      try {
        const run = await runAction(oauthInputs(f.sim, f.token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }))
        assert.equal(run.code, 1)
        assert.equal(run.outputs.result, 'unauthorized')
        assert.match(run.log, /oauth_problem=token_rejected\. The access token is unknown to this Jira: it was revoked/)
        assert.equal(f.sim.requests.length, 1)
      } finally {
        await f.close()
      }
    })

    it('reports a key that does not match the application link as signature_invalid', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed', 'private-key': other }))
      assert.equal(run.code, 1)
      assert.equal(run.outputs.result, 'unauthorized')
      // Jira's base string equals the one signed, so the key is what differs: named with its fingerprint.
      const fingerprint = createHash('sha256')
        .update(createPublicKey(other).export({ type: 'spki', format: 'der' }))
        .digest('hex')
      assert.match(
        run.log,
        new RegExp(
          `oauth_problem=signature_invalid\\. Jira computed the same base string, so the private key does not match the public key on the application link, for certain\\. The public key that belongs to the configured private key has SHA-256 fingerprint ${fingerprint}`
        )
      )
    })

    it("reports a runner clock more than 5 minutes off Jira's as timestamp_refused", async () => {
      const accessToken = newAccessToken()
      const skewed = await startSimulator({ accessToken, clock: () => Math.floor(Date.now() / 1000) + 600 })
      try {
        const run = await runAction(oauthInputs(skewed, accessToken, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }))
        assert.equal(run.outputs.result, 'unauthorized')
        assert.match(run.log, /oauth_problem=timestamp_refused\. The clock of this machine is more than 5 minutes off Jira's/)
        assert.equal(skewed.requests.length, 1)
      } finally {
        await skewed.close()
      }
    })

    it('reports an anonymous fallback as unauthorized, not as a missing issue', async () => {
      const f = await fresh(s => (s.mode = 'anonymous'))
      try {
        const run = await runAction(oauthInputs(f.sim, f.token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed' }))
        assert.equal(run.outputs.result, 'unauthorized')
        assert.match(run.log, /answered as an anonymous user \(HTTP 404, X-AUSERNAME: anonymous\)/)
        assert.doesNotMatch(run.log, /not found/i)
        assert.equal(f.sim.requests.length, 1)
      } finally {
        await f.close()
      }
    })

    it('reports a 403 on the PUT as forbidden without retrying it', async () => {
      const f = await fresh(s => {
        const issue = s.issues.get('CI-2')
        if (issue) issue.readOnly = true
      })
      try {
        const run = await runAction(oauthInputs(f.sim, f.token, { issue: 'CI-2', field: 'customfield_10314', value: 'Build Passed' }))
        assert.equal(run.outputs.result, 'forbidden')
        assert.match(run.log, /Jira answered 403 Forbidden: You do not have permission to edit issues in this project/)
        assert.equal(f.sim.requestsTo('/rest/api/2/issue/CI-2', 'PUT').length, 1)
      } finally {
        await f.close()
      }
    })
  })

  it('authenticates with a personal access token instead of OAuth, masking it', async () => {
    const pat = newAccessToken()
    const s = await startSimulator({ personalAccessTokens: { [pat]: 'pat-user' } })
    try {
      const run = await runAction({
        'jira-url': s.baseUrl,
        'personal-access-token': pat,
        issue: 'CI-1',
        field: 'customfield_10315',
        value: 'https://ci.example.com/run/1'
      })
      assert.equal(run.code, 0, run.log)
      assert.equal(s.issues.get('CI-1')?.fields.customfield_10315, 'https://ci.example.com/run/1')
      assert.equal(s.requestsTo('/rest/api/2/issue/CI-1', 'PUT')[0]?.user, 'pat-user')
      assert.ok(run.stdout.includes(`::add-mask::${pat}`))
    } finally {
      await s.close()
    }
  })

  it('authenticates as a service account with client credentials, masking the secret and the token issued', async () => {
    const clientSecret = newAccessToken()
    const s = await startSimulator({ serviceAccounts: { 'gha-client': { secret: clientSecret, user: 'svc-github' } } })
    try {
      const run = await runAction({
        'jira-url': s.baseUrl,
        'client-id': 'gha-client',
        'client-secret': clientSecret,
        issue: 'CI-1, CI-2, CI-3',
        field: 'customfield_10315',
        value: 'https://ci.example.com/run/2'
      })
      assert.equal(run.code, 0, run.log)
      assert.equal(run.outputs.updated, 'CI-1,CI-2,CI-3')
      assert.deepEqual(
        s.requestsTo('/rest/api/2/issue/', 'PUT').map(r => r.user),
        ['svc-github', 'svc-github', 'svc-github']
      )
      // One token for the whole run, masked the moment it arrived; the secret masked when read.
      assert.equal(s.tokenRequests, 1)
      const [issued] = s.issuedTokens.keys()
      assert.ok(run.stdout.includes(`::add-mask::${issued}`))
      assert.ok(run.stdout.indexOf(`::add-mask::${issued}`) < run.stdout.indexOf('CI-1: updated'))
      assert.ok(run.stdout.includes(`::add-mask::${clientSecret}`))
      for (const text of [run.log, run.stderr, run.summary]) assert.ok(!text.includes(issued))
      assert.match(run.log, /Client credentials over plain http/)
    } finally {
      await s.close()
    }
  })

  it('fails on bad input before sending any request, naming the input', async () => {
    const f = await fresh()
    try {
      const run = await runAction(
        oauthInputs(f.sim, f.token, {
          issue: 'not a key',
          field: 'customfield_10314',
          value: 'Build Passed',
          'private-key': '-----BEGIN PRIVATE KEY-----\nMIIEv'
        })
      )
      assert.equal(run.code, 1)
      assert.match(run.log, /::error title=Invalid issue::input 'issue': "not", "a", "key" are not shaped like an issue key/)
      assert.match(run.log, /::error title=Invalid private-key::input 'private-key': The private key has a BEGIN line but no matching END line/)
      assert.equal(f.sim.requests.length, 0)
      assert.equal(run.outputs.result, 'invalid')
    } finally {
      await f.close()
    }
  })
})

describe('npm run simulator -- --env .env, for npm run local-action', () => {
  it('writes a .env whose inputs, the key on one line and the real port, run the action to updated', async () => {
    const envFile = join(tempDir('jbr-dotenv-'), '.env')
    const simulator = spawn(process.execPath, [join(ROOT, 'build/test/serve.js'), '--env', envFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise(resolve => simulator.on('close', resolve))
    try {
      // It says so on stderr once the file is written.
      await new Promise<void>((resolve, reject) => {
        let said = ''
        simulator.stderr.on('data', (chunk: Buffer) => {
          said += chunk.toString()
          if (said.includes('Wrote ')) resolve()
        })
        simulator.on('close', code => reject(new Error(`the simulator exited (${code}): ${said}`)))
      })
      const text = readFileSync(envFile, 'utf8')
      const key = /^INPUT_PRIVATE-KEY=(.*)$/m.exec(text)?.[1] ?? ''
      assert.match(key, /^-----BEGIN PRIVATE KEY-----\\n[A-Za-z0-9+/=\\n]+-----END PRIVATE KEY-----$/)
      // Read as @github/local-action reads it (dotenv's rules), then run as the runner would.
      const inputs: Record<string, string> = {}
      for (const [name, value] of Object.entries(parseEnv(text))) {
        if (name.startsWith('INPUT_') && value !== undefined) inputs[name.slice('INPUT_'.length).toLowerCase()] = value
      }
      assert.match(inputs['jira-url'], /^http:\/\/127\.0\.0\.1:\d+\/jira$/)
      const run = await runAction(inputs)
      assert.equal(run.code, 0, run.log)
      assert.deepEqual(run.outputs, { updated: 'CI-1', unchanged: '', failed: '', result: 'updated' })
    } finally {
      simulator.kill('SIGTERM')
      await exited
    }
  })
})
