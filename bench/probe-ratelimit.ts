import { httpTransport } from '../src/jira/transport.js'
import { updateIssues } from '../src/update.js'
import { defaultIssues } from '../test/sim/fixtures.js'
import { JiraSimulator } from '../test/sim/jira.js'

const style = (process.argv[2] ?? 'reset') as 'reset' | 'retry-after'
const latency = Number(process.argv[3] ?? 50)
const sim = await JiraSimulator.start({ personalAccessTokens: { pat: 'ci-bot' }, issues: defaultIssues(40), latencyMs: latency, rateLimit: { perSecond: 20, style } })
const transport = httpTransport()
const keys = Array.from({ length: 40 }, (_, i) => `CI-${i + 1}`)
const start = performance.now()
const report = await updateIssues(
  { jiraUrl: sim.baseUrl, auth: { mode: 'pat', personalAccessToken: 'pat' }, maxRetries: 3, timeoutSeconds: 120, issues: { by: 'keys', keys }, field: 'customfield_10314', value: 'Build Failed', notifyUsers: true, concurrency: 8, failOnError: true, dryRun: false, warnings: [] },
  { transport, log: { debug() {}, info() {}, warning() {}, error() {} } }
)
const ms = performance.now() - start
const ok = sim.requests.filter(r => r.status !== 429).length
console.log(style, latency, report.result, report.updated.length, 'requests', sim.requests.length, '429s', sim.rateLimited, `${((100 * sim.rateLimited) / sim.requests.length).toFixed(1)}%`, 'ms', ms.toFixed(0), 'floor', (ok / 20) * 1000, 'ratio', (ms / ((ok / 20) * 1000)).toFixed(2), 'strict', (ms / (((ok - 20) / 20) * 1000)).toFixed(2))
transport.close()
await sim.close()
