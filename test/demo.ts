/**
 * `npm run demo`: the whole job against the embedded Jira simulator on loopback. The bundled
 * CLI makes a key pair and does the OAuth dance; the bundled action (dist/index.js, run
 * exactly as the Actions runner runs it) sets the field. It shows the field before and
 * after, the outputs, the job summary, and one refusal explained.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { baseEnv, CONSUMER_KEY, ROOT, runAction, runNode, verificationCodeFrom } from './helpers.js'
import { JiraSimulator } from './sim/jira.js'

const FIELD = 'customfield_10314'
const CLI = join(ROOT, 'dist/cli/index.js')

function heading(text: string): void {
  console.log(process.stdout.isTTY ? `\n\x1b[1m== ${text}\x1b[0m` : `\n== ${text}`)
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map(line => `   ${line}`)
    .join('\n')
}

let ok = true
function expect(condition: boolean, what: string): void {
  if (!condition) {
    ok = false
    console.log(`   !! expected ${what}`)
  }
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<string> {
  console.log(`   $ jira-build-result ${args.join(' ')}`)
  const run = await runNode(CLI, args, { ...baseEnv(), ...env })
  if (run.stderr.trim()) console.log(indent(run.stderr))
  if (run.stdout.trim()) console.log(indent(run.stdout))
  expect(run.code === 0, `exit code 0 from ${args[0]}, got ${run.code}`)
  return run.stdout
}

const dir = mkdtempSync(join(tmpdir(), 'jira-build-result-demo-'))
let sim: JiraSimulator | undefined
try {
  heading('1. keygen: an RSA key pair for the application link')
  await cli(['keygen', '--out', dir])
  sim = await JiraSimulator.start({ publicKeyPem: readFileSync(join(dir, 'jira_publickey.pem'), 'utf8'), consumerKey: CONSUMER_KEY })
  console.log(`\n   The Jira simulator at ${sim.baseUrl} has the public key on an application link with consumer key '${CONSUMER_KEY}'.`)
  const consumerEnv = { JIRA_CONSUMER_KEY: CONSUMER_KEY, JIRA_PRIVATE_KEY_FILE: join(dir, 'jira_privatekey.pem') }

  heading('2. The OAuth dance: request token, approval in the browser, access token')
  const request = JSON.parse(await cli(['request-token', '--jira-url', sim.baseUrl, '--json'], consumerEnv)) as { authorizeUrl: string; requestToken: string }
  const page = await (await fetch(request.authorizeUrl)).text()
  const verifier = verificationCodeFrom(page) ?? ''
  console.log(`   (the browser opens the URL, the user clicks Allow; Jira shows: "Your verification code is '${verifier}'")`)
  const access = JSON.parse(
    await cli(['access-token', '--jira-url', sim.baseUrl, '--request-token', request.requestToken, '--verifier', verifier, '--json'], consumerEnv)
  ) as { accessToken: string }

  heading('3. check: who the credentials act as')
  const secretsEnv = { ...consumerEnv, JIRA_ACCESS_TOKEN: access.accessToken }
  await cli(['check', '--jira-url', sim.baseUrl], secretsEnv)

  heading('4. The action: node dist/index.js with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY')
  console.log(`   CI-1 ${FIELD} (Build Result) before: ${JSON.stringify(sim.issues.get('CI-1')?.fields[FIELD] ?? null)}`)
  const inputs = {
    'jira-url': sim.baseUrl,
    'consumer-key': CONSUMER_KEY,
    'private-key': readFileSync(join(dir, 'jira_privatekey.pem'), 'utf8'),
    'access-token': access.accessToken,
    issue: 'CI-1',
    field: FIELD,
    value: 'Build Passed',
    set: 'Build Link = {run_url}\nLabels += ci-passed',
    'remote-link': 'Build #{run_number}'
  }
  // What the runner sets for every step: where the run is, for {run_url} and the link.
  const runner = {
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_RUN_ID: '8123',
    GITHUB_RUN_NUMBER: '57',
    GITHUB_WORKFLOW: 'CI'
  }
  const run = await runAction(inputs, runner)
  console.log(indent(run.log))
  console.log(`   exit code ${run.code}`)
  console.log('   outputs:')
  console.log(
    indent(
      Object.entries(run.outputs)
        .map(([k, v]) => `  ${k}=${v}`)
        .join('\n')
    )
  )
  console.log('   job summary:')
  console.log(indent(run.summary))
  const after = sim.issues.get('CI-1')?.fields[FIELD]
  console.log(`   CI-1 ${FIELD} after: ${JSON.stringify(after)}`)
  const put = sim.requestsTo('/rest/api/2/issue/CI-1', 'PUT')[0]
  console.log(`   the simulator verified the PUT's RSA-SHA1 signature and answered ${put?.status} as user ${put?.user}`)
  expect(run.code === 0 && (after as { value?: string } | undefined)?.value === 'Build Passed', 'the field set to Build Passed')
  const link = sim.issues.get('CI-1')?.remoteLinks?.[0]
  console.log(`   CI-1 remote link: ${JSON.stringify(link?.object.title)} → ${link?.object.url} (globalId ${link?.globalId})`)
  expect(link?.object.url === 'https://github.com/acme/app/actions/runs/8123', 'the run linked from the issue')

  heading('5. One refusal explained: the account is locked behind a CAPTCHA')
  sim.mode = 'captcha'
  const refused = await runAction(inputs, runner)
  console.log(indent(refused.log))
  console.log(`   exit code ${refused.code}, result=${refused.outputs.result}`)
  expect(refused.code === 1 && refused.outputs.result === 'captcha', 'a red step with result=captcha')
} finally {
  await sim?.close()
  rmSync(dir, { recursive: true, force: true })
}

heading(ok ? 'Demo passed' : 'Demo FAILED')
process.exitCode = ok ? 0 : 1
