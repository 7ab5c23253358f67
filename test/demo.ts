/**
 * `npm run demo`: the action's main job against the embedded Jira simulator on loopback.
 * It runs the bundled dist/index.js exactly as the Actions runner does and shows the field
 * before and after, the outputs, the job summary, and one refusal explained.
 */
import { newAccessToken, oauthInputs, runAction, startSimulator } from './helpers.js'

const FIELD = 'customfield_10314'

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

const accessToken = newAccessToken()
const sim = await startSimulator({ accessToken })
let ok = true
try {
  heading(`Jira simulator at ${sim.baseUrl} (application link with a fresh RSA key pair)`)
  const before = sim.issues.get('CI-1')?.fields[FIELD]
  console.log(`   CI-1 ${FIELD} (Build Result) before: ${JSON.stringify(before ?? null)}`)

  heading('node dist/index.js, with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as the runner sets them')
  const inputs = oauthInputs(sim, accessToken, { issue: 'CI-1', field: FIELD, value: 'Build Passed' })
  const run = await runAction(inputs)
  console.log(indent(run.log))
  console.log(`   exit code ${run.code}`)
  heading('Outputs')
  console.log(indent(Object.entries(run.outputs).map(([k, v]) => `${k}=${v}`).join('\n')))
  heading('Job summary')
  console.log(indent(run.summary))

  const after = sim.issues.get('CI-1')?.fields[FIELD]
  console.log(`   CI-1 ${FIELD} after: ${JSON.stringify(after)}`)
  const put = sim.requestsTo('/rest/api/2/issue/CI-1', 'PUT')[0]
  console.log(`   the simulator verified the RSA-SHA1 signature of the PUT and answered ${put?.status} as user ${put?.user}`)
  ok &&= run.code === 0 && JSON.stringify(after) === '{"value":"Build Passed"}'

  heading('One refusal explained: the account is locked behind a CAPTCHA')
  sim.mode = 'captcha'
  const refused = await runAction(inputs)
  console.log(indent(refused.log))
  console.log(`   exit code ${refused.code}, result=${refused.outputs.result}`)
  ok &&= refused.code === 1 && refused.outputs.result === 'captcha'
} finally {
  await sim.close()
}

heading(ok ? 'Demo passed' : 'Demo FAILED')
process.exitCode = ok ? 0 : 1
