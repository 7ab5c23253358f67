/**
 * `npm run simulator`: the Jira simulator on 127.0.0.1 until stopped, for the workflow's
 * self-test, `npm run local-action` and the summary picture. It makes a key pair and an
 * authorized access token, and writes what a workflow needs as step outputs (GITHUB_OUTPUT's
 * format) to --outputs, or prints them; --env writes a ready .env for `npm run local-action`
 * (the inputs, the key on one line, the port it listens on).
 *
 *   npm run simulator -- [--port 8080] [--outputs FILE] [--env .env]
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultIssues } from './sim/fixtures.js'
import { JiraSimulator } from './sim/jira.js'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, outputs: { type: 'string' }, env: { type: 'string' } } })
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const accessToken = randomBytes(16).toString('hex')
const consumerKey = 'jira-build-result'
const sim = await JiraSimulator.start({
  publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  consumerKey,
  accessTokens: { [accessToken]: 'ci-bot' },
  issues: defaultIssues(12),
  port: Number(values.port)
})

const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim()
const delimiter = `EOF_${randomBytes(8).toString('hex')}`
const outputs = [
  `jira-url=${sim.baseUrl}`,
  `consumer-key=${consumerKey}`,
  `access-token=${accessToken}`,
  `private-key<<${delimiter}`,
  privateKeyPem,
  delimiter
].join('\n')
if (values.outputs) writeFileSync(values.outputs, `${outputs}\n`)
else if (!values.env) console.log(outputs)
if (values.env) {
  // A .env value ends at its line's end, so the key goes on one line with \n for each line
  // break, which the action's key loader undoes.
  const dotenv = [
    `# Written by \`npm run simulator -- --env\` for the simulator on ${sim.baseUrl}; it holds while that`,
    '# simulator runs (each start makes a new port, key and token). Then: npm run local-action',
    'ACTIONS_STEP_DEBUG=true',
    `INPUT_JIRA-URL=${sim.baseUrl}`,
    `INPUT_CONSUMER-KEY=${consumerKey}`,
    `INPUT_PRIVATE-KEY=${privateKeyPem.replace(/\n/g, '\\n')}`,
    `INPUT_ACCESS-TOKEN=${accessToken}`,
    'INPUT_ISSUE=CI-1',
    'INPUT_FIELD=Build Result',
    'INPUT_VALUE=Build Passed',
    'INPUT_DRY-RUN=false',
    'GITHUB_EVENT_NAME=push',
    'GITHUB_REPOSITORY=acme/app',
    'GITHUB_RUN_ID=1',
    'GITHUB_SERVER_URL=https://github.com'
  ]
  writeFileSync(values.env, `${dotenv.join('\n')}\n`, { mode: 0o600 })
  console.error(`Wrote ${resolve(values.env)} for npm run local-action.`)
}
console.error(`Jira simulator on ${sim.baseUrl} (issues CI-1 … CI-12); stop it with Ctrl-C.`)

const stop = (): void => void sim.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
