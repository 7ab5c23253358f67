/**
 * `npm run bench`: measures the bundled action and CLI against baselines, side by side in one
 * run, on the embedded Jira simulator, and prints the figures as Markdown; `npm run bench --
 * --write` also writes them into BENCHMARKS.md's generated block. Every figure is a median over
 * runs in pairs (the measured process and its baseline back to back, in alternating order) with
 * the middle half of the samples. BENCH_RUNS sets the pairs of each cold process (default 15);
 * the many-issue runs take a fifth as many.
 *
 * A scenario is a function that returns its Section (table, notes, goals); it registers by
 * being listed in SCENARIOS at the end of this file.
 */
import { spawn, spawnSync } from 'node:child_process'
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import forge from 'node-forge'
import { ROOT } from '../test/helpers.js'
import { fmt, ratios, show, spread, writeGenerated, type Goal, type Scenario, type Section } from './figures.js'
import { defaultIssues } from '../test/sim/fixtures.js'
import { JiraSimulator } from '../test/sim/jira.js'

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 15))
const BULK_RUNS = Math.max(1, Math.round(RUNS / 5))
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

let cachedPeerVersion: string | undefined
function peerVersion(): string {
  cachedPeerVersion ??= spawnSync(PYTHON, ['-c', 'import jira; print(jira.__version__)'], { encoding: 'utf8' }).stdout.trim()
  return cachedPeerVersion
}

/** The goal for one issue, cold: the action within this factor of the minimal signer. */
const COLD_GOAL = 1.3
/** The goal for many issues at concurrency 8: within this factor of the ideal. */
const BULK_GOAL = 1.25
/** The goal for signing at 2048 bits, in milliseconds per signature. */
const SIGNING_GOAL_MS = 1

/** Runs `steps` in order on even rounds and in reverse on odd ones, so neither side always goes first. */
async function inPairs(round: number, steps: Array<() => void | Promise<void>>): Promise<void> {
  for (const step of round % 2 ? [...steps].reverse() : steps) await step()
}

const rounds = (n: number): string => `${n} round${n === 1 ? '' : 's'}`

function met(ok: boolean, always: boolean): string {
  return ok ? (always ? 'yes' : 'yes, in the median; not in every pair') : 'no'
}

const peer = peerAvailable()
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const peerKeyFile = join(tmp, 'peer-key.pem')
writeFileSync(peerKeyFile, privatePem)

/** 1. One issue, cold: the action against the minimal signer, the floor and the peer. */
async function coldStart(): Promise<Section> {
  const sim = await JiraSimulator.start({ publicKeyPem: publicPem, consumerKey: CONSUMER_KEY, accessTokens: { [ACCESS_TOKEN]: 'ci-bot' } })
  const samples: Record<string, Sample[]> = { floor: [], baseline: [], action: [], putOnly: [], peer: [] }
  try {
    for (let i = 0; i < RUNS; i++) {
      // Alternate the value so every run really writes (an unchanged field skips the PUT).
      const value = i % 2 ? 'Build Failed' : 'Build Passed'
      const body = JSON.stringify({ fields: { customfield_10314: { value } } })
      await inPairs(i, [
        async () => void samples.floor.push(await timeProcess(['-e', '0'], {})),
        async () =>
          void samples.baseline.push(
            await timeProcess([join(ROOT, 'build/bench/baseline.js')], {
              BASE_URL: sim.baseUrl,
              ISSUE: 'CI-2',
              BODY: body,
              CONSUMER_KEY,
              ACCESS_TOKEN,
              PRIVATE_KEY: privatePem
            })
          ),
        async () =>
          void samples.action.push(
            await timeProcess([join(ROOT, 'dist/index.js')], actionEnv(sim, privatePem, { issue: 'CI-1', field: 'customfield_10314', value }))
          ),
        // The same PUT through the fields input: no GET first, so no value check and no formatting.
        async () =>
          void samples.putOnly.push(
            await timeProcess(
              [join(ROOT, 'dist/index.js')],
              actionEnv(sim, privatePem, { issue: 'CI-3', fields: JSON.stringify({ customfield_10314: { value } }) })
            )
          ),
        ...(peer.ok
          ? [async () => void samples.peer.push(await timeCommand(PYTHON, [PEER, sim.baseUrl, CONSUMER_KEY, ACCESS_TOKEN, peerKeyFile, value, 'CI-4'], {}))]
          : [])
      ])
    }
  } finally {
    await sim.close()
  }
  const failed = Object.entries(samples).filter(([, list]) => list.some(s => s.code !== 0))
  if (failed.length > 0) throw new Error(`cold runs failed: ${failed.map(([name]) => name).join(', ')}`)
  const ms = (name: string): number[] => samples[name].map(s => s.ms)
  const mib = (name: string): string => show(spread(samples[name].map(s => s.rssKiB / 1024)))
  const vsSigner = (name: string): string => `${show(ratios(ms(name), ms('baseline')), 2, '×')}`
  const cold = ratios(ms('action'), ms('baseline'))
  const aboveFloor = (name: string): string => show(spread(ms(name).map((value, i) => value - samples.floor[i].ms)), 1, ' ms')
  const peerFaster = peer.ok ? ratios(ms('peer'), ms('action')) : undefined
  return {
    title: `1. One issue, cold process (${rounds(RUNS)})`,
    lines: [
      '| process | wall time | peak RSS (MiB) | time vs minimal signer, per pair |',
      '| --- | --- | --- | --- |',
      `| \`node -e 0\` (floor) | ${show(spread(ms('floor')), 1, ' ms')} | ${mib('floor')} | ${vsSigner('floor')} |`,
      `| minimal signer (node:crypto + node:http, one PUT) | ${show(spread(ms('baseline')), 1, ' ms')} | ${mib('baseline')} | 1.00× |`,
      `| \`node dist/index.js\` (GET with editmeta + PUT) | ${show(spread(ms('action')), 1, ' ms')} | ${mib('action')} | **${show(cold, 2, '×')}** |`,
      `| \`node dist/index.js\` with \`fields\` (the same PUT alone) | ${show(spread(ms('putOnly')), 1, ' ms')} | ${mib('putOnly')} | ${vsSigner('putOnly')} |`,
      ...(peer.ok
        ? [
            `| peer: pycontribs/jira ${peerVersion()} (python3, oauthlib; serverInfo, GET, PUT, GET) | ${show(spread(ms('peer')), 1, ' ms')} | ${mib('peer')} | ${vsSigner('peer')} |`
          ]
        : []),
      '',
      `Above the floor, per round: minimal signer ${aboveFloor('baseline')}, action ${aboveFloor('action')}.`
    ],
    goals: [
      {
        goal: `one issue, cold: the action at most ${COLD_GOAL}× the minimal signer`,
        result: `${show(cold, 2, '×')} over ${rounds(RUNS)}`,
        met: met(cold.median <= COLD_GOAL, cold.high <= COLD_GOAL)
      },
      ...(peerFaster
        ? [{ goal: 'one issue, cold, against the peer (pycontribs/jira)', result: `the peer takes ${show(peerFaster, 1, '×')} as long`, met: '(a comparison)' }]
        : [])
    ]
  }
}

/** 2. Many issues over a slow network: the action against the simplest client doing the same requests. */
async function manyIssues(): Promise<Section> {
  const latency = 50
  const count = 200
  const issueKeys = Array.from({ length: count }, (_, i) => `CI-${i + 1}`)
  interface Measured {
    sample: Sample
    requests: number
    connections: number
  }
  const measure = async (run: (sim: JiraSimulator) => Promise<Sample>): Promise<Measured> => {
    const sim = await JiraSimulator.start({
      publicKeyPem: publicPem,
      consumerKey: CONSUMER_KEY,
      accessTokens: { [ACCESS_TOKEN]: 'ci-bot' },
      issues: defaultIssues(count),
      latencyMs: latency
    })
    try {
      const sample = await run(sim)
      if (sample.code !== 0) throw new Error('a many-issue run failed')
      return { sample, requests: sim.requests.length, connections: sim.connections }
    } finally {
      await sim.close()
    }
  }
  const lines = [
    `${rounds(BULK_RUNS)}, each with a fresh simulator per client.`,
    '',
    '| client | concurrency | wall time (s) | peak RSS (MiB) | requests | per issue | ideal (requests ÷ c × latency) | vs ideal | vs simplest client, per pair | connections |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  const row = (client: string, concurrency: number, runs: Measured[], versus: string): string => {
    const requests = runs[0].requests
    const ideal = (requests / concurrency) * latency
    const seconds = runs.map(m => m.sample.ms / 1000)
    const connections = [...new Set(runs.map(m => m.connections))].join(', ')
    return `| ${client} | ${concurrency} | ${show(spread(seconds), 2)} | ${show(spread(runs.map(m => m.sample.rssKiB / 1024)))} | ${requests} | ${fmt((requests - 1) / count, 2)} + 1 | ${fmt(ideal / 1000, 2)} s | **${show(spread(runs.map(m => m.sample.ms / ideal)), 2, '×')}** | ${versus} | ${connections} |`
  }
  const atEight: { action: Measured[] } = { action: [] }
  const atOne: { action: Measured[]; peer: Measured[] } = { action: [], peer: [] }
  for (const concurrency of [1, 4, 8]) {
    const simplest: Measured[] = []
    const action: Measured[] = []
    const peerRuns: Measured[] = []
    for (let round = 0; round < BULK_RUNS; round++) {
      const value = (round + concurrency) % 2 ? 'Build Failed' : 'Build Passed'
      await inPairs(round, [
        async () =>
          void simplest.push(
            await measure(sim =>
              timeProcess([join(ROOT, 'build/bench/baseline-bulk.js')], {
                BASE_URL: sim.baseUrl,
                ISSUES: issueKeys.join(','),
                BODY: JSON.stringify({ fields: { customfield_10314: { value } } }),
                CONCURRENCY: String(concurrency),
                CONSUMER_KEY,
                ACCESS_TOKEN,
                PRIVATE_KEY: privatePem
              })
            )
          ),
        async () =>
          void action.push(
            await measure(sim =>
              timeProcess(
                [join(ROOT, 'dist/index.js')],
                actionEnv(sim, privatePem, {
                  issue: issueKeys.join(','),
                  field: 'Build Result',
                  value,
                  concurrency: String(concurrency),
                  timeout: '600',
                  'max-issues': String(count)
                })
              )
            )
          ),
        // The peer has no concurrency of its own: it runs beside concurrency 1, in the first round
        // only (it takes minutes).
        ...(peer.ok && concurrency === 1 && round === 0
          ? [
              async () =>
                void peerRuns.push(
                  await measure(sim => timeCommand(PYTHON, [PEER, sim.baseUrl, CONSUMER_KEY, ACCESS_TOKEN, peerKeyFile, value, ...issueKeys], {}))
                )
            ]
          : [])
      ])
    }
    const versus = show(
      ratios(
        action.map(m => m.sample.ms),
        simplest.map(m => m.sample.ms)
      ),
      2,
      '×'
    )
    lines.push(
      row('simplest client (node:crypto + node:http, GET + PUT)', concurrency, simplest, '—'),
      row('`node dist/index.js`', concurrency, action, versus)
    )
    if (concurrency === 8) atEight.action = action
    if (concurrency === 1) Object.assign(atOne, { action, peer: peerRuns })
  }
  if (atOne.peer.length > 0) lines.push(row(`peer: pycontribs/jira ${peerVersion()}, sequential (${rounds(atOne.peer.length)})`, 1, atOne.peer, '—'))
  lines.push('', '"vs simplest client": the same requests with nothing else done.')

  const eight = atEight.action
  const idealAtEight = (eight[0].requests / 8) * latency
  const vsIdeal = spread(eight.map(m => m.sample.ms / idealAtEight))
  const perIssue = (eight[0].requests - 1) / count
  const goals: Goal[] = [
    {
      goal: 'many issues: at most two requests per issue plus a constant',
      result: `${fmt(perIssue, 2)} per issue + 1 (the field-name lookup)`,
      met: met(perIssue <= 2, true)
    },
    {
      goal: `many issues: at concurrency 8 within ${BULK_GOAL}× of the ideal`,
      result: `${show(vsIdeal, 2, '×')} over ${rounds(eight.length)}`,
      met: met(vsIdeal.median <= BULK_GOAL, vsIdeal.high <= BULK_GOAL)
    },
    {
      goal: 'many issues: connections reused',
      result: `${eight[0].requests} requests over ${[...new Set(eight.map(m => m.connections))].join(', ')} connection(s) at concurrency 8`,
      met: met(
        eight.every(m => m.connections <= 8),
        true
      )
    }
  ]
  if (atOne.peer.length > 0) {
    const slower = ratios(
      atOne.peer.map(m => m.sample.ms),
      atOne.action.slice(0, atOne.peer.length).map(m => m.sample.ms)
    )
    goals.push({ goal: `${count} issues, one at a time, against the peer`, result: `the peer takes ${show(slower, 1, '×')} as long`, met: '(a comparison)' })
  }
  return { title: `2. ${count} issues, ${latency} ms of simulated latency per request`, lines, goals }
}

/** 3. RSA-SHA1 signatures: node:crypto (used) against node-forge, in rounds. */
async function signing(): Promise<Section> {
  const lines = ['| key | library | per signature (ms) | signatures/s |', '| --- | --- | --- | --- |']
  const goals: Goal[] = []
  const base = 'PUT&https%3A%2F%2Fjira.example.com%2Fjira%2Frest%2Fapi%2F2%2Fissue%2FCI-1&oauth_consumer_key%3Djira-build-result%26oauth_nonce%3Dabc'
  const signingRounds = Math.min(RUNS, 5)
  /** Milliseconds per call, over at least 300 ms and 3 calls. */
  const perCall = (run: () => void): number => {
    let n = 0
    const start = performance.now()
    while (n < 3 || performance.now() - start < 300) {
      run()
      n++
    }
    return (performance.now() - start) / n
  }
  for (const bits of [2048, 4096]) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits })
    const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString())
    const node: number[] = []
    const forged: number[] = []
    for (let round = 0; round < signingRounds; round++) {
      await inPairs(round, [
        () => void node.push(perCall(() => cryptoSign('sha1', Buffer.from(base), privateKey))),
        () =>
          void forged.push(
            perCall(() => {
              const md = forge.md.sha1.create()
              md.update(base, 'utf8')
              forgeKey.sign(md)
            })
          )
      ])
    }
    const used = spread(node)
    lines.push(`| ${bits} | node:crypto (used) | ${show(used, 3)} | ${fmt(1000 / used.median, 0)} |`)
    lines.push(`| ${bits} | node-forge | ${show(spread(forged), 3)} | ${fmt(1000 / spread(forged).median, 0)} |`)
    if (bits === 2048)
      goals.push({
        goal: `signing under ${SIGNING_GOAL_MS} ms per signature at 2048 bits, the size keygen makes`,
        result: `${show(used, 3, ' ms')} with node:crypto; node-forge ${show(spread(forged), 1, ' ms')}`,
        met: met(used.median < SIGNING_GOAL_MS, used.high < SIGNING_GOAL_MS)
      })
  }
  lines.push('', `${rounds(signingRounds)} of at least 300 ms per library and key size.`)
  return { title: '3. RSA-SHA1 signatures', lines, goals }
}

/** 4. Bundles: size, and load time above the floor, paired per round. */
async function bundles(): Promise<Section> {
  const size = (path: string): number => statSync(join(ROOT, path)).size / 1024
  const chunks = readdirSync(join(ROOT, 'dist'))
    .filter(name => /^\d+\.index\.js$/.test(name))
    .map(name => `dist/${name}`)
  const load: Record<string, number[]> = { floor: [], action: [], withChunk: [], cli: [] }
  for (let i = 0; i < RUNS; i++) {
    await inPairs(i, [
      async () => void load.floor.push((await timeProcess(['-e', '0'], {})).ms),
      // With an issue but no jira-url the action loads, finds the input missing and stops.
      async () => void load.action.push((await timeProcess([join(ROOT, 'dist/index.js')], { INPUT_ISSUE: 'CI-1' })).ms),
      // With no issue it first loads the GitHub context (the lazy chunk) to look for keys.
      async () => void load.withChunk.push((await timeProcess([join(ROOT, 'dist/index.js')], {})).ms),
      async () => void load.cli.push((await timeProcess([join(ROOT, 'dist/cli/index.js'), '--help'], {})).ms)
    ])
  }
  const aboveFloor = (name: string): string => show(spread(load[name].map((ms, i) => ms - load.floor[i])), 1, ' ms')
  const chunkSizes = chunks.map(c => `${fmt(size(c), 0)} KiB`).join(' + ')
  return {
    title: `4. Bundles (load time above \`node -e 0\`, per round; ${rounds(RUNS)})`,
    lines: [
      '| bundle | size | load time |',
      '| --- | --- | --- |',
      `| \`dist/index.js\` (action) | ${fmt(size('dist/index.js'), 0)} KiB | ${aboveFloor('action')} |`,
      `| \`dist/index.js\` + the GitHub context chunk (${chunkSizes}), when keys are looked for | ${fmt(size('dist/index.js') + chunks.reduce((sum, c) => sum + size(c), 0), 0)} KiB | ${aboveFloor('withChunk')} |`,
      `| \`dist/cli/index.js\` (CLI; node-forge, for keygen only, in a lazy chunk) | ${fmt(size('dist/cli/index.js'), 0)} KiB | ${aboveFloor('cli')} |`,
      '',
      `The floor, \`node -e 0\`: ${show(spread(load.floor), 1, ' ms')}.`
    ],
    goals: []
  }
}

/** The goal for a flood: the action's peak memory, in MiB. */
const FLOOD_GOAL_MIB = 100

/**
 * 5. A flood: one JQL answer of 150,000 keys, and a pull request (pull_request_target) whose
 * title names 461. The action must write nothing and end with result=invalid, its outputs and
 * summary; the goal is its peak memory.
 */
async function flood(): Promise<Section> {
  const sim = await JiraSimulator.start({ publicKeyPem: publicPem, consumerKey: CONSUMER_KEY, accessTokens: { [ACCESS_TOKEN]: 'ci-bot' } })
  const lines = ['| run | answer | wall time | peak RSS (MiB) | requests | result |', '| --- | --- | --- | --- | --- | --- |']
  const peaks: number[] = []
  const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `CI-${i + 1}`)
  const set = { field: 'customfield_10314', value: 'Build Passed' }
  const floodRounds = Math.min(RUNS, 3)
  try {
    const measure = async (name: string, answer: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}, body?: string) => {
      const samples: Sample[] = []
      let requests = 0
      let result: string | undefined
      for (let round = 0; round < floodRounds; round++) {
        sim.requests.length = 0
        if (body !== undefined) sim.inject({ status: 200, pathIncludes: '/search', headers: { 'Content-Type': 'application/json' }, body })
        const env = { ...actionEnv(sim, privatePem, inputs), ...extraEnv }
        samples.push(await timeProcess([join(ROOT, 'dist/index.js')], env))
        sim.clearInjected()
        result = /result<<(\S+)\n([^\n]*)\n/.exec(readFileSync(env.GITHUB_OUTPUT, 'utf8'))?.[2]
        const writes = sim.requests.filter(r => r.method !== 'GET').length
        if (result !== 'invalid' || writes > 0) throw new Error(`the flood run "${name}" ended ${result ?? 'without a result'} after ${writes} writes`)
        requests = sim.requests.length
      }
      const rss = samples.map(s => s.rssKiB / 1024)
      peaks.push(...rss)
      lines.push(
        `| ${name} | ${answer} | ${show(spread(samples.map(s => s.ms)), 1, ' ms')} | ${show(spread(rss))} | ${requests} | \`${result}\`, summary and outputs written |`
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
  lines.push('', `${rounds(floodRounds)} each, with max-issues at its default.`)
  const peak = Math.max(...peaks)
  return {
    title: '5. A flood of issues (max-issues at its default): nothing written',
    lines,
    goals: [
      {
        goal: `a flood: nothing written, and a peak RSS under ${FLOOD_GOAL_MIB} MiB`,
        result: `nothing written; the highest peak ${fmt(peak)} MiB`,
        met: met(peak < FLOOD_GOAL_MIB, true)
      }
    ]
  }
}

/** The goals under a rate limit: the share of requests answered 429, and the factor of the limit's floor. */
const RATE_LIMIT_GOAL = { share429: 0.15, floor: 1.3 }

/**
 * 6. 40 issues at concurrency 8 against a site allowing 20 requests a second (a token bucket
 * that holds 20), 50 ms of latency, in each of Jira's 429 header styles: the bundled action as
 * the runner starts it.
 */
async function rateLimited(): Promise<Section> {
  const count = 40
  const perSecond = 20
  const limitRounds = Math.min(RUNS, 3)
  const issueKeys = Array.from({ length: count }, (_, i) => `CI-${i + 1}`)
  const lines = [
    '| 429 answered with | issues written | requests | answered 429 | wall time (s) | floor (accepted ÷ rate) | vs floor | strict floor (burst free) | vs strict floor |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  const goals: Goal[] = []
  for (const style of ['retry-after', 'reset'] as const) {
    const runs: Array<{ written: number; requests: number; limited: number; seconds: number; floor: number; strict: number }> = []
    for (let round = 0; round < limitRounds; round++) {
      const sim = await JiraSimulator.start({
        publicKeyPem: publicPem,
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
          actionEnv(sim, privatePem, { issue: issueKeys.join(','), field: 'customfield_10314', value, concurrency: '8', timeout: '600' })
        )
        const written = issueKeys.filter(key => (sim.issues.get(key)?.fields.customfield_10314 as { value?: string } | undefined)?.value === value).length
        const accepted = sim.requests.length - sim.rateLimited
        runs.push({
          written,
          requests: sim.requests.length,
          limited: sim.rateLimited,
          seconds: sample.ms / 1000,
          floor: accepted / perSecond,
          strict: (accepted - perSecond) / perSecond
        })
      } finally {
        await sim.close()
      }
    }
    const header = style === 'reset' ? '`X-RateLimit-Reset` (ISO 8601)' : '`Retry-After` (whole seconds)'
    const share = spread(runs.map(r => r.limited / r.requests))
    const vsFloor = spread(runs.map(r => r.seconds / r.floor))
    const writtenAll = runs.every(r => r.written === count)
    lines.push(
      `| ${header} | ${[...new Set(runs.map(r => r.written))].join(', ')} of ${count} | ${show(spread(runs.map(r => r.requests)), 0)} | ${show(spread(runs.map(r => r.limited)), 0)} (**${show(spread(runs.map(r => (100 * r.limited) / r.requests)), 1, '%')}**) | ${show(spread(runs.map(r => r.seconds)), 2)} | ${show(spread(runs.map(r => r.floor)), 2, ' s')} | **${show(vsFloor, 2, '×')}** | ${show(spread(runs.map(r => r.strict)), 2, ' s')} | ${show(spread(runs.map(r => r.seconds / r.strict)), 2, '×')} |`
    )
    goals.push({
      goal: `rate limit (${header}): every issue written, at most ${fmt(RATE_LIMIT_GOAL.share429 * 100, 0)}% of requests answered 429, within ${RATE_LIMIT_GOAL.floor}× of the limit's floor`,
      result: `${writtenAll ? 'every issue written' : 'not every issue written'}; ${show(spread(runs.map(r => (100 * r.limited) / r.requests)), 1, '%')} answered 429; ${show(vsFloor, 2, '×')} of the floor`,
      met: met(
        writtenAll && share.median <= RATE_LIMIT_GOAL.share429 && vsFloor.median <= RATE_LIMIT_GOAL.floor,
        share.high <= RATE_LIMIT_GOAL.share429 && vsFloor.high <= RATE_LIMIT_GOAL.floor
      )
    })
  }
  lines.push(
    '',
    `${rounds(limitRounds)} per header style. The floor is the accepted requests at ${perSecond} a second; the strict floor also lets the bucket's first ${perSecond} through at once. The wall time includes the cold start.`
  )
  return { title: `6. Rate limit: ${count} issues at concurrency 8 against ${perSecond} requests a second (burst ${perSecond}), 50 ms latency`, lines, goals }
}

/** The budget for everything on each issue: 1 + 3 requests per issue (GET, PUT, link, comment) plus one field list. */
const EVERYTHING_REQUESTS = (issues: number): number => (1 + 3) * issues + 1

/**
 * 7. What one step records on 200 issues: three fields (one of them by value-map), the remote
 * link and a comment, 50 ms a request, concurrency 8: the requests sent, and the wall time
 * against the ideal (requests ÷ concurrency × 50 ms).
 */
async function everythingOnEachIssue(): Promise<Section> {
  const latency = 50
  const count = 200
  const concurrency = 8
  const everythingRounds = Math.min(RUNS, 3)
  const issueKeys = Array.from({ length: count }, (_, i) => `CI-${i + 1}`)
  const runs: Array<{ requests: number; fieldLists: number; ratio: number; ms: number; rssMiB: number }> = []
  for (let round = 0; round < everythingRounds; round++) {
    const sim = await JiraSimulator.start({
      publicKeyPem: publicPem,
      consumerKey: CONSUMER_KEY,
      accessTokens: { [ACCESS_TOKEN]: 'ci-bot' },
      issues: defaultIssues(count),
      latencyMs: latency
    })
    try {
      const sample = await timeProcess([join(ROOT, 'dist/index.js')], {
        ...actionEnv(sim, privatePem, {
          issue: issueKeys.join(','),
          field: 'Build Result',
          status: round % 2 ? 'success' : 'failure',
          'value-map': 'success=Build Passed, failure=Build Failed',
          set: 'Build Link = {run_url}\nBuild Number = {run_number}',
          'remote-link': 'Build #{run_number}: {status}',
          comment: 'Build #{run_number} {status}: {run_url}',
          concurrency: String(concurrency),
          'max-issues': String(count),
          timeout: '600'
        }),
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_RUN_ID: String(8000 + round),
        GITHUB_RUN_NUMBER: String(57 + round),
        GITHUB_WORKFLOW: 'CI'
      })
      if (sample.code !== 0) throw new Error('the run with three fields, a link and a comment failed')
      const requests = sim.requests.length
      runs.push({
        requests,
        fieldLists: sim.requestsTo('/rest/api/2/field').length,
        ratio: sample.ms / ((requests / concurrency) * latency),
        ms: sample.ms,
        rssMiB: sample.rssKiB / 1024
      })
    } finally {
      await sim.close()
    }
  }
  const budget = EVERYTHING_REQUESTS(count)
  const ratio = spread(runs.map(r => r.ratio))
  const requests = Math.max(...runs.map(r => r.requests))
  const lines = [
    '| requests | field lists | budget ((1 + 3) per issue + 1) | wall time (s) | ideal (requests ÷ 8 × 50 ms) | vs ideal | peak RSS (MiB) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${requests} | ${Math.max(...runs.map(r => r.fieldLists))} | ${budget} | ${show(spread(runs.map(r => r.ms / 1000)), 2)} | ${fmt(((requests / concurrency) * latency) / 1000, 2)} s | **${show(ratio, 2, '×')}** | ${show(spread(runs.map(r => r.rssMiB)))} |`,
    '',
    `${rounds(everythingRounds)}; every issue starts without the fields, so each gets its PUT. The link and the comment go side by side once the edit is done.`
  ]
  return {
    title: `7. Everything on each issue: ${count} issues, three fields, a remote link and a comment, ${latency} ms a request, concurrency ${concurrency}`,
    lines,
    goals: [
      {
        goal: `everything on each issue: at most ${budget} requests (1 + 3 per issue plus one field list), within ${BULK_GOAL}× of the ideal`,
        result: `${requests} requests; ${show(ratio, 2, '×')} of the ideal`,
        met: met(requests <= budget && ratio.median <= BULK_GOAL, requests <= budget && ratio.high <= BULK_GOAL)
      }
    ]
  }
}

/** The goal for an answer that never ends: the action's peak memory, in MiB. */
const ENDLESS_GOAL_MIB = 150

/** 8. An answer that never ends: the body is cut off at 4 MiB; the goal is the action's peak memory. */
async function endlessAnswer(): Promise<Section> {
  const sim = await JiraSimulator.start({ publicKeyPem: publicPem, consumerKey: CONSUMER_KEY, accessTokens: { [ACCESS_TOKEN]: 'ci-bot' } })
  const samples: Sample[] = []
  const endlessRounds = Math.min(RUNS, 3)
  try {
    for (let round = 0; round < endlessRounds; round++) {
      sim.inject({ status: 200, endless: true })
      samples.push(
        await timeProcess(
          [join(ROOT, 'dist/index.js')],
          actionEnv(sim, privatePem, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed', 'max-retries': '0' })
        )
      )
    }
  } finally {
    await sim.close()
  }
  // The run fails (the answer is cut off), as it should; what matters is how much it held.
  const rss = spread(samples.map(s => s.rssKiB / 1024))
  const peak = Math.max(...samples.map(s => s.rssKiB / 1024))
  return {
    title: '8. An answer that never ends',
    lines: [
      '| exit code | peak RSS (MiB) |',
      '| --- | --- |',
      `| ${[...new Set(samples.map(s => s.code))].join(', ')} | ${show(rss)} |`,
      '',
      `${rounds(endlessRounds)}; the body is cut off at 4 MiB and the run ends with result=error.`
    ],
    goals: [
      {
        goal: `an answer that never ends: cut off, with a peak RSS under ${ENDLESS_GOAL_MIB} MiB`,
        result: `the highest peak ${fmt(peak)} MiB`,
        met: met(peak < ENDLESS_GOAL_MIB, true)
      }
    ]
  }
}

/** Every scenario, in the order of the report. A new scenario registers here, and nowhere else. */
const SCENARIOS: Scenario[] = [
  { run: coldStart },
  { run: manyIssues },
  { run: signing },
  { run: bundles },
  { run: flood },
  { run: rateLimited },
  { run: everythingOnEachIssue },
  { run: endlessAnswer }
]

try {
  // How busy the machine was: absolute times move with it, paired ratios much less.
  const loadAtStart = loadavg()[0]
  const sections: Section[] = []
  for (const scenario of SCENARIOS) sections.push(await scenario.run())
  const cpu = cpus()[0]?.model.trim() ?? 'CPU'
  const report = [
    `## The run kept here: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpu}, ${fmt(totalmem() / 2 ** 30, 0)} GiB`,
    '',
    `Load average over one minute: ${fmt(loadAtStart, 1)} at the start, ${fmt(loadavg()[0], 1)} at the end, on ${cpus().length} cores.`,
    '',
    'Each figure is the median, with the middle half of the samples (25th to 75th percentile) in brackets; ratios are per pair, then the median.',
    '',
    ...(peer.ok ? [] : [`The peer (pycontribs/jira) is skipped: ${peer.why}.`, '']),
    ...sections.flatMap(section => [`### ${section.title}`, '', ...section.lines, '']),
    '### Goals',
    '',
    '| goal | this run | met? |',
    '| --- | --- | --- |',
    ...sections.flatMap(section => section.goals.map(goal => `| ${goal.goal} | ${goal.result} | ${goal.met} |`))
  ]
  console.log(report.join('\n'))
  if (process.argv.includes('--write')) {
    writeGenerated(join(ROOT, 'BENCHMARKS.md'), report)
    console.error('Wrote the figures into BENCHMARKS.md.')
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
