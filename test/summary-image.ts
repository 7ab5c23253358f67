/**
 * `npm run summary-image`: runs the bundled action against the embedded Jira simulator, as the
 * runner runs it, and renders the job summary and the annotations it really wrote to
 * docs/summary.png with headless Chromium (Debian's `chromium`). The README shows the picture.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { marked } from 'marked'
import { newAccessToken, oauthInputs, ROOT, runAction, startSimulator, tempDir } from './helpers.js'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(path => existsSync(path))
if (!CHROMIUM) {
  console.error('Headless Chromium is needed: apt-get install chromium (Debian) or install Google Chrome.')
  process.exit(2)
}

const token = newAccessToken()
const sim = await startSimulator({ accessToken: token })
// The README's quick start: the result, the link field and a remote link to the run, in one step.
const inputs = {
  issue: 'CI-1, CI-2, CI-404',
  field: 'Build Result',
  status: 'success',
  'value-map': 'success=Build Passed, failure=Build Failed, cancelled=Build Aborted',
  set: 'Build Link = {run_url}',
  'remote-link': 'Build #{run_number}: {status}'
}
const run = await runAction(oauthInputs(sim, token, inputs), {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_RUN_ID: '8123',
  GITHUB_RUN_NUMBER: '57',
  GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/ci.yml@refs/heads/main'
})
await sim.close()

// The simulator's address would change with every run; the picture shows Jira's usual one.
const shown = (text: string): string => text.split(sim.baseUrl).join('https://jira.example.com/jira')
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
// Workflow commands as the runner reads them: ::error title=T::message, with %0A for newlines.
// The picture shows Jira at an https address, where the simulator's plain-http warning would not be.
const annotations = run.stdout
  .split('\n')
  .map(line => /^::(error|warning|notice)(?: title=([^:]*))?::(.*)$/.exec(line))
  .filter((match): match is RegExpExecArray => match !== null && !/over plain http/.test(match[3]))
  .map(([, level, title, message]) => {
    const decode = (text: string): string => text.replace(/%0A/g, '\n').replace(/%0D/g, '').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
    return `<div class="annotation ${level}"><div class="title">${escape(decode(title ?? level))}</div><div>${escape(shown(decode(message)))}</div></div>`
  })
  .join('\n')

const page = `<!doctype html><html><head><meta charset="utf-8"><style>
body { font: 14px -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; padding: 24px; width: 952px; }
.panel { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px 24px; margin-bottom: 16px; }
.caption { color: #59636e; font-size: 12px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; }
.annotation { border-left: 4px solid #d1242f; padding: 8px 12px; margin: 8px 0; background: #fff; }
.annotation.warning { border-color: #9a6700; }
.annotation .title { font-weight: 600; margin-bottom: 2px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; }
th { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
h3 { margin-top: 4px; }
</style></head><body>
<p class="caption">Annotations</p>
<div class="panel">${annotations}</div>
<p class="caption">Job summary</p>
<div class="panel">${await marked.parse(shown(run.summary))}</div>
</body></html>`

const dir = tempDir('jbr-image-')
const html = join(dir, 'summary.html')
writeFileSync(html, page)
const output = join(ROOT, 'docs', 'summary.png')
execFileSync(
  CHROMIUM,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    `--screenshot=${output}`,
    '--window-size=1000,900',
    `file://${html}`
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] }
)
console.log(`Wrote ${output} from a run with result=${run.outputs.result}.`)
