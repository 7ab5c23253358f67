/**
 * `npm run simulator`: the Jira simulator on 127.0.0.1 until stopped, for the workflow's
 * self-test, `npm run local-action` and the summary picture. It makes a key pair and an
 * authorized access token, and writes what a workflow needs as step outputs (GITHUB_OUTPUT's
 * format) to --outputs, or prints them.
 *
 *   npm run simulator -- [--port 8080] [--outputs FILE]
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { defaultIssues } from './sim/fixtures.js'
import { JiraSimulator } from './sim/jira.js'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, outputs: { type: 'string' } } })
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

const delimiter = `EOF_${randomBytes(8).toString('hex')}`
const outputs = [
  `jira-url=${sim.baseUrl}`,
  `consumer-key=${consumerKey}`,
  `access-token=${accessToken}`,
  `private-key<<${delimiter}`,
  privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim(),
  delimiter
].join('\n')
if (values.outputs) writeFileSync(values.outputs, `${outputs}\n`)
else console.log(outputs)
console.error(`Jira simulator on ${sim.baseUrl} (issues CI-1 … CI-12); stop it with Ctrl-C.`)

const stop = (): void => void sim.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
