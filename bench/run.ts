/**
 * `npm run bench`: measures the bundled action and CLI against baselines, side by side in one
 * run, on the embedded Jira simulator. Prints a Markdown table; BENCHMARKS.md keeps one run.
 * BENCH_RUNS sets how many times each cold process runs (default 15).
 */
import { spawn, spawnSync } from 'node:child_process'
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import forge from 'node-forge'
import { ROOT } from '../test/helpers.js'
import { defaultIssues } from '../test/sim/fixtures.js'
import { JiraSimulator } from '../test/sim/jira.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const PEER = join(ROOT, 'bench/peer_jira.py')
const PYTHON = '/usr/bin/python3'
const CONSUMER_KEY = 'jira-build-result'
const ACCESS_TOKEN = 'bench-access-token-0123456789'
const PROBE = join(ROOT, 'bench/rss-probe.cjs')
const tmp = mkdtempSync(join(tmpdir(), 'jbr-bench-'))

interface Sample {
  ms: number
  rssKiB: number
  code: number | null
}

/** Runs one node process to its end: wall time from spawn to exit, and its peak RSS. */
function timeProcess(args: string[], env: Record<string, string>): Promise<Sample> {
  return timeCommand(process.execPath, ['--require', PROBE, ...args], env)
}

/** Runs one process to its end; it writes its own peak RSS (KiB) to BENCH_RSS_FILE. */
function timeCommand(command: string, args: string[], env: Record<string, string>): Promise<Sample> {
  const rssFile = join(tmp, `rss-${Math.random().toString(36).slice(2)}`)
  const start = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', BENCH_RSS_FILE: rssFile, ...env },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      const ms = performance.now() - start
      let rssKiB = 0
      try {
        rssKiB = Number(readFileSync(rssFile, 'utf8'))
      } catch {
        // a process that died before exit handlers ran reports no RSS
      }
      if (code !== 0 && stderr) process.stderr.write(stderr)
      resolve({ ms, rssKiB, code })
    })
  })
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const fmt = (n: number, digits = 1): string => n.toFixed(digits)

/**
 * Whether the peer, pycontribs/jira (Debian's python3-jira), can run here; installed with
 * apt-get when the machine can (root, Debian), else skipped with the reason.
 */
function peerAvailable(): { ok: true } | { ok: false; why: string } {
  const importable = (): boolean => spawnSync(PYTHON, ['-c', 'import jira'], { stdio: 'ignore' }).status === 0
  if (importable()) return { ok: true }
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-jira'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
    if (importable()) return { ok: true }
    return { ok: false, why: "apt-get install python3-jira did not make it importable (run 'apt-get update' first?)" }
  }
  return { ok: false, why: `${PYTHON} cannot import jira, and this machine cannot install Debian's python3-jira` }
}

function actionEnv(sim: JiraSimulator, privateKey: string, inputs: Record<string, string>): Record<string, string> {
  // The runner creates both files before the step starts.
  const outputDir = mkdtempSync(join(tmp, 'run-'))
  writeFileSync(join(outputDir, 'output'), '')
  writeFileSync(join(outputDir, 'summary'), '')
  const env: Record<string, string> = {
    GITHUB_OUTPUT: join(outputDir, 'output'),
    GITHUB_STEP_SUMMARY: join(outputDir, 'summary'),
    'INPUT_JIRA-URL': sim.baseUrl,
    'INPUT_CONSUMER-KEY': CONSUMER_KEY,
    'INPUT_PRIVATE-KEY': privateKey,
    'INPUT_ACCESS-TOKEN': ACCESS_TOKEN
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  return env
}

async function coldProcess(privateKey: string, publicKey: string, peer: boolean): Promise<string[]> {
  const sim = await JiraSimulator.start({ publicKeyPem: publicKey, consumerKey: CONSUMER_KEY, accessTokens: { [ACCESS_TOKEN]: 'ci-bot' } })
  const samples: Record<string, Sample[]> = { floor: [], baseline: [], action: [], putOnly: [], peer: [] }
  const keyFile = join(tmp, 'peer-key.pem')
  writeFileSync(keyFile, privateKey)
  try {
    for (let i = 0; i < RUNS; i++) {
      // Alternate the value so every run really writes (an unchanged field skips the PUT).
      const value = i % 2 ? 'Build Failed' : 'Build Passed'
      samples.floor.push(await timeProcess(['-e', '0'], {}))
      samples.baseline.push(
        await timeProcess([join(ROOT, 'build/bench/baseline.js')], {
          BASE_URL: sim.baseUrl,
          ISSUE: 'CI-2',
          BODY: JSON.stringify({ fields: { customfield_10314: { value } } }),
          CONSUMER_KEY,
          ACCESS_TOKEN,
          PRIVATE_KEY: privateKey
        })
      )
      samples.action.push(await timeProcess([join(ROOT, 'dist/index.js')], actionEnv(sim, privateKey, { issue: 'CI-1', field: 'customfield_10314', value })))
      // The same PUT through the fields input: no GET first, so no value check and no formatting.
      samples.putOnly.push(
        await timeProcess(
          [join(ROOT, 'dist/index.js')],
          actionEnv(sim, privateKey, { issue: 'CI-3', fields: JSON.stringify({ customfield_10314: { value } }) })
        )
      )
      if (peer) samples.peer.push(await timeCommand(PYTHON, [PEER, sim.baseUrl, CONSUMER_KEY, ACCESS_TOKEN, keyFile, value, 'CI-4'], {}))
    }
  } finally {
    await sim.close()
  }
  const failed = Object.entries(samples).filter(([, list]) => list.some(s => s.code !== 0))
  if (failed.length > 0) throw new Error(`cold runs failed: ${failed.map(([name]) => name).join(', ')}`)
  const ms = (name: string) => median(samples[name].map(s => s.ms))
  const mib = (name: string) => median(samples[name].map(s => s.rssKiB)) / 1024
  return [
    `### 1. One issue, cold process (median of ${RUNS} runs each)`,
    '',
    '| process | wall time | peak RSS | time vs minimal signer |',
    '| --- | --- | --- | --- |',
    `| \`node -e 0\` (floor) | ${fmt(ms('floor'))} ms | ${fmt(mib('floor'))} MiB | ${fmt(ms('floor') / ms('baseline'), 2)}× |`,
    `| minimal signer (node:crypto + node:http, one PUT) | ${fmt(ms('baseline'))} ms | ${fmt(mib('baseline'))} MiB | 1.00× |`,
    `| \`node dist/index.js\` (GET with editmeta + PUT) | ${fmt(ms('action'))} ms | ${fmt(mib('action'))} MiB | **${fmt(ms('action') / ms('baseline'), 2)}×** (goal ≤ 1.3×) |`,
    `| \`node dist/index.js\` with \`fields\` (the same PUT alone) | ${fmt(ms('putOnly'))} ms | ${fmt(mib('putOnly'))} MiB | ${fmt(ms('putOnly') / ms('baseline'), 2)}× |`,
    ...(peer
      ? [
          `| peer: pycontribs/jira ${peerVersion()} (python3, oauthlib; serverInfo, GET, PUT, GET) | ${fmt(ms('peer'))} ms | ${fmt(mib('peer'))} MiB | ${fmt(ms('peer') / ms('baseline'), 2)}× |`
        ]
      : []),
    '',
    `Above the floor: minimal signer +${fmt(ms('baseline') - ms('floor'))} ms, action +${fmt(ms('action') - ms('floor'))} ms.`,
    ''
  ]
}

async function manyIssues(privateKey: string, publicKey: string, peer: boolean): Promise<string[]> {
  const latency = 50
  const count = 200
  const lines = [
    `### 2. ${count} issues, ${latency} ms of simulated latency per request`,
    '',
    '| client | concurrency | wall time | peak RSS | requests | per issue | requests/s | ideal (requests ÷ c × 50 ms) | vs ideal | vs simplest client | connections |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  const keys = Array.from({ length: count }, (_, i) => `CI-${i + 1}`)
  const keyFile = join(tmp, 'peer-key.pem')
  writeFileSync(keyFile, privateKey)
  const measure = async (run: (sim: JiraSimulator, value: string) => Promise<Sample>, value: string) => {
    const sim = await JiraSimulator.start({
      publicKeyPem: publicKey,
      consumerKey: CONSUMER_KEY,
      accessTokens: { [ACCESS_TOKEN]: 'ci-bot' },
      issues: defaultIssues(count),
      latencyMs: latency
    })
    try {
      const sample = await run(sim, value)
      if (sample.code !== 0) throw new Error('a many-issue run failed')
      return { sample, requests: sim.requests.length, connections: sim.connections }
    } finally {
      await sim.close()
    }
  }
  const row = (client: string, concurrency: number, m: { sample: Sample; requests: number; connections: number }, simplest?: number): string => {
    const ideal = (m.requests / concurrency) * latency
    const versus = simplest === undefined ? '—' : `${fmt(m.sample.ms / simplest, 2)}×`
    return `| ${client} | ${concurrency} | ${fmt(m.sample.ms / 1000, 2)} s | ${fmt(m.sample.rssKiB / 1024)} MiB | ${m.requests} | ${fmt((m.requests - 1) / count, 2)} + 1 | ${fmt(m.requests / (m.sample.ms / 1000), 0)} | ${fmt(ideal / 1000, 2)} s | **${fmt(m.sample.ms / ideal, 2)}×** | ${versus} | ${m.connections} |`
  }
  for (const [round, concurrency] of [1, 4, 8].entries()) {
    const value = round % 2 ? 'Build Failed' : 'Build Passed'
    const simplest = await measure(
      sim =>
        timeProcess([join(ROOT, 'build/bench/baseline-bulk.js')], {
          BASE_URL: sim.baseUrl,
          ISSUES: keys.join(','),
          BODY: JSON.stringify({ fields: { customfield_10314: { value } } }),
          CONCURRENCY: String(concurrency),
          CONSUMER_KEY,
          ACCESS_TOKEN,
          PRIVATE_KEY: privateKey
        }),
      value
    )
    const action = await measure(
      sim =>
        timeProcess(
          [join(ROOT, 'dist/index.js')],
          actionEnv(sim, privateKey, {
            issue: keys.join(','),
            field: 'Build Result',
            value,
            concurrency: String(concurrency),
            timeout: '600',
            'max-issues': String(count)
          })
        ),
      value
    )
    lines.push(
      row('simplest client (node:crypto + node:http, GET + PUT)', concurrency, simplest),
      row('`node dist/index.js`', concurrency, action, simplest.sample.ms)
    )
  }
  if (peer) {
    const m = await measure((sim, value) => timeCommand(PYTHON, [PEER, sim.baseUrl, CONSUMER_KEY, ACCESS_TOKEN, keyFile, value, ...keys], {}), 'Build Passed')
    lines.push(row(`peer: pycontribs/jira ${peerVersion()}, sequential`, 1, m))
  }
  lines.push(
    '',
    'Goals: at most two requests per issue plus a constant; at concurrency 8 within 1.25× of the ideal; connections reused. "vs simplest client": the same requests with nothing else done.',
    ''
  )
  return lines
}

/**
 * 40 issues at concurrency 8 against a site allowing 20 requests a second (a token bucket that
 * holds 20), 50 ms of latency, in each of Jira's 429 header styles: the bundled action as the
 * runner starts it.
 */
async function rateLimited(privateKey: string, publicKey: string): Promise<string[]> {
  const count = 40
  const perSecond = 20
  const lines = [
    `### 6. Rate limit: ${count} issues at concurrency 8 against ${perSecond} requests a second (burst ${perSecond}), 50 ms latency`,
    '',
    '| 429 answered with | issues written | requests | answered 429 | wall time | floor (accepted ÷ 20/s) | vs floor | strict floor (burst free) | vs strict floor |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  const keys = Array.from({ length: count }, (_, i) => `CI-${i + 1}`)
  for (const [round, style] of (['retry-after', 'reset'] as const).entries()) {
    const sim = await JiraSimulator.start({
      publicKeyPem: publicKey,
      consumerKey: CONSUMER_KEY,
      accessTokens: { [ACCESS_TOKEN]: 'ci-bot' },
      issues: defaultIssues(count),
      latencyMs: 50,
      rateLimit: { perSecond, style }
    })
    try {
      const value = round % 2 ? 'Build Failed' : 'Build Passed'
      const sample = await timeProcess(
        [join(ROOT, 'dist/index.js')],
        actionEnv(sim, privateKey, { issue: keys.join(','), field: 'customfield_10314', value, concurrency: '8', timeout: '600' })
      )
      const written = keys.filter(key => (sim.issues.get(key)?.fields.customfield_10314 as { value?: string } | undefined)?.value === value).length
      const accepted = sim.requests.length - sim.rateLimited
      const floor = accepted / perSecond
      const strict = (accepted - perSecond) / perSecond
      const seconds = sample.ms / 1000
      const header = style === 'reset' ? '`X-RateLimit-Reset` (ISO 8601)' : '`Retry-After` (whole seconds)'
      lines.push(
        `| ${header} | ${written} of ${count} | ${sim.requests.length} | ${sim.rateLimited} (**${fmt((100 * sim.rateLimited) / sim.requests.length)}%**) | ${fmt(seconds, 2)} s | ${fmt(floor, 2)} s | **${fmt(seconds / floor, 2)}×** | ${fmt(strict, 2)} s | ${fmt(seconds / strict, 2)}× |`
      )
    } finally {
      await sim.close()
    }
  }
  lines.push(
    '',
    'Goals: every issue written, at most 15% of requests answered 429, within 1.3× of the floor the limit sets (accepted requests ÷ 20 a second). The strict floor also lets the first 20 requests through at once, as the bucket does; the wall time includes the cold start.',
    ''
  )
  return lines
}

let cachedPeerVersion: string | undefined
function peerVersion(): string {
  cachedPeerVersion ??= spawnSync(PYTHON, ['-c', 'import jira; print(jira.__version__)'], { encoding: 'utf8' }).stdout.trim()
  return cachedPeerVersion
}

function signing(): string[] {
  const lines = ['### 3. RSA-SHA1 signatures', '', '| key | library | signatures/s | per signature |', '| --- | --- | --- | --- |']
  const base = 'PUT&https%3A%2F%2Fjira.example.com%2Fjira%2Frest%2Fapi%2F2%2Fissue%2FCI-1&oauth_consumer_key%3Djira-build-result%26oauth_nonce%3Dabc'
  for (const bits of [2048, 4096]) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits })
    const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString())
    const measure = (run: () => void): number => {
      let n = 0
      const start = performance.now()
      while (performance.now() - start < 1000) {
        run()
        n++
      }
      return n / ((performance.now() - start) / 1000)
    }
    const nodeRate = measure(() => cryptoSign('sha1', Buffer.from(base), privateKey))
    const forgeRate = measure(() => {
      const md = forge.md.sha1.create()
      md.update(base, 'utf8')
      forgeKey.sign(md)
    })
    lines.push(`| ${bits} | node:crypto (used) | ${fmt(nodeRate, 0)} | ${fmt(1000 / nodeRate, 3)} ms |`)
    lines.push(`| ${bits} | node-forge | ${fmt(forgeRate, 0)} | ${fmt(1000 / forgeRate, 3)} ms |`)
  }
  lines.push('', 'Goal: under 1 ms per signature on the hot path.', '')
  return lines
}

async function bundles(): Promise<string[]> {
  const size = (path: string) => statSync(join(ROOT, path)).size / 1024
  const chunks = ['dist/index.js', ...readdirChunks()]
  const load: Record<string, number[]> = { floor: [], action: [], withChunk: [], cli: [] }
  for (let i = 0; i < RUNS; i++) {
    load.floor.push((await timeProcess(['-e', '0'], {})).ms)
    // With an issue but no jira-url the action loads, finds the input missing and stops.
    load.action.push((await timeProcess([join(ROOT, 'dist/index.js')], { INPUT_ISSUE: 'CI-1' })).ms)
    // With no issue it first loads the GitHub context (the lazy chunk) to look for keys.
    load.withChunk.push((await timeProcess([join(ROOT, 'dist/index.js')], {})).ms)
    load.cli.push((await timeProcess([join(ROOT, 'dist/cli/index.js'), '--help'], {})).ms)
  }
  const floor = median(load.floor)
  return [
    `### 4. Bundles (load time: median of ${RUNS} runs, minus \`node -e 0\` at ${fmt(floor)} ms)`,
    '',
    '| bundle | size | load time |',
    '| --- | --- | --- |',
    `| \`dist/index.js\` (action) | ${fmt(size('dist/index.js'), 0)} KiB | ${fmt(median(load.action) - floor)} ms |`,
    `| \`dist/index.js\` + the GitHub context chunk (${chunks
      .slice(1)
      .map(c => `${fmt(size(c), 0)} KiB`)
      .join(
        ' + '
      )}), when keys are looked for | ${fmt(size('dist/index.js') + chunks.slice(1).reduce((sum, c) => sum + size(c), 0), 0)} KiB | ${fmt(median(load.withChunk) - floor)} ms |`,
    `| \`dist/cli/index.js\` (CLI; node-forge, for keygen only, in a lazy chunk) | ${fmt(size('dist/cli/index.js'), 0)} KiB | ${fmt(median(load.cli) - floor)} ms |`,
    ''
  ]
}

/**
 * A flood: one JQL answer of 150,000 keys, and a pull request (pull_request_target) whose title
 * names 461. The action must write nothing and end with result=invalid, its outputs and summary;
 * the goal is its peak memory, under 100 MiB.
 */
async function flood(privateKey: string, publicKey: string): Promise<string[]> {
  const sim = await JiraSimulator.start({ publicKeyPem: publicKey, consumerKey: CONSUMER_KEY, accessTokens: { [ACCESS_TOKEN]: 'ci-bot' } })
  const lines = [
    '### 5. A flood of issues (max-issues 100): nothing written',
    '',
    '| run | answer | wall time | peak RSS | requests | result |',
    '| --- | --- | --- | --- | --- | --- |'
  ]
  const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `CI-${i + 1}`)
  const set = { field: 'customfield_10314', value: 'Build Passed' }
  try {
    const measure = async (name: string, answer: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}, body?: string) => {
      sim.requests.length = 0
      if (body !== undefined) sim.inject({ status: 200, pathIncludes: '/search', headers: { 'Content-Type': 'application/json' }, body })
      const env = { ...actionEnv(sim, privateKey, inputs), ...extraEnv }
      const sample = await timeProcess([join(ROOT, 'dist/index.js')], env)
      sim.clearInjected()
      const result = /result<<(\S+)\n([^\n]*)\n/.exec(readFileSync(env.GITHUB_OUTPUT, 'utf8'))?.[2]
      const writes = sim.requests.filter(r => r.method !== 'GET').length
      if (result !== 'invalid' || writes > 0) throw new Error(`the flood run "${name}" ended ${result ?? 'without a result'} after ${writes} writes`)
      lines.push(
        `| ${name} | ${answer} | ${fmt(sample.ms)} ms | ${fmt(sample.rssKiB / 1024)} MiB | ${sim.requests.length} | \`${result}\`, summary and outputs written |`
      )
    }
    const searchBody = JSON.stringify({ startAt: 0, maxResults: 150_000, total: 150_000, issues: keys(150_000).map(key => ({ key })) })
    await measure('`jql`', `one page of 150,000 keys (${fmt(Buffer.byteLength(searchBody) / 2 ** 20)} MiB)`, { jql: 'project = CI', ...set }, {}, searchBody)
    const eventFile = join(tmp, 'pull-request-target.json')
    writeFileSync(eventFile, JSON.stringify({ action: 'opened', number: 9, pull_request: { number: 9, title: keys(461).join(' '), head: { ref: 'fork' } } }))
    await measure('keys found on `pull_request_target`', 'a title naming 461 keys', set, {
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_EVENT_PATH: eventFile
    })
  } finally {
    await sim.close()
  }
  lines.push('', 'Goal: under 100 MiB peak memory, no write.', '')
  return lines
}

function readdirChunks(): string[] {
  return readdirSync(join(ROOT, 'dist'))
    .filter(name => /^\d+\.index\.js$/.test(name))
    .map(name => `dist/${name}`)
}

const peer = peerAvailable()
const peerNote = peer.ok ? [] : [`The peer (pycontribs/jira) is skipped: ${peer.why}.`, '']
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
try {
  const report = [
    `## Benchmark run: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB`,
    '',
    ...peerNote,
    ...(await coldProcess(privatePem, publicPem, peer.ok)),
    ...(await manyIssues(privatePem, publicPem, peer.ok)),
    ...signing(),
    ...(await bundles()),
    ...(await flood(privatePem, publicPem)),
    ...(await rateLimited(privatePem, publicPem))
  ]
  console.log(report.join('\n'))
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
