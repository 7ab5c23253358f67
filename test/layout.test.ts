/** The shape of the code: which modules may import which. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { ROOT } from './helpers.js'

/** Every relative import of every module under a folder of src/, as paths from src/. */
function importsUnder(folder: string): Array<{ from: string; to: string }> {
  const dir = join(ROOT, 'src', folder)
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter(file => file.endsWith('.ts'))
    .flatMap(file => {
      const text = readFileSync(join(dir, file), 'utf8')
      return [...text.matchAll(/from '(\.[^']+)'/g)].map(m => ({
        from: `${folder}/${file}`,
        to: relative(join(ROOT, 'src'), join(dir, file, '..', m[1])).replace(/\.js$/, '')
      }))
    })
}

describe('the shape of the code', () => {
  it('keeps the edges out of the core: nothing under jira/ or oauth/ imports the input parser, the CLI or the action', () => {
    const edges = new Set(['options', 'inputs', 'plan', 'cli', 'main', 'index'])
    const offending = [...importsUnder('jira'), ...importsUnder('oauth')].filter(({ to }) => edges.has(to) || to.startsWith('commands/'))
    assert.deepEqual(offending, [])
  })

  it('keeps oauth/ to primitives: it imports nothing from jira/', () => {
    assert.deepEqual(
      importsUnder('oauth').filter(({ to }) => to.startsWith('jira/')),
      []
    )
  })

  it('keeps what only some runs need out of the start-up bundles: Octokit (discovery) and node-forge (keygen)', () => {
    const bundle = (path: string): string => readFileSync(join(ROOT, path), 'utf8')
    const chunks = (dir: string): string =>
      readdirSync(join(ROOT, dir))
        .filter(name => /^\d+\.index\.js$/.test(name))
        .map(name => bundle(join(dir, name)))
        .join('\n')
    // Octokit's user agent and node-forge's certificate code: in a lazy chunk, not in the entry.
    for (const entry of ['dist/index.js', 'dist/cli/index.js']) {
      assert.doesNotMatch(bundle(entry), /octokit-core\.js/, entry)
      assert.doesNotMatch(bundle(entry), /pki\.createCertificate = function|forge\.cipher = /, entry)
    }
    assert.match(chunks('dist'), /octokit-core\.js/)
    assert.match(chunks('dist/cli'), /pki\.createCertificate = function/)
  })

  it('reads @actions/core in the action edge alone (the sink knows its types only)', () => {
    const files = readdirSync(join(ROOT, 'src'), { recursive: true })
      .map(String)
      .filter(file => file.endsWith('.ts') && /^import \* as core from '@actions\/core'/m.test(readFileSync(join(ROOT, 'src', file), 'utf8')))
    assert.deepEqual(files, ['main.ts'])
  })

  it('prints through the sink alone: no other module writes to the console, the streams, or the runner', () => {
    // The boundary holds by construction only if nothing can print around it.
    const writes =
      /\bconsole\.|process\.(stdout|stderr)\.write|\bcore\.(info|debug|notice|warning|error|setFailed|setOutput|setSecret|summary|startGroup|endGroup|group|exportVariable|addPath|saveState|issueCommand|issue)\b/
    const files = readdirSync(join(ROOT, 'src'), { recursive: true })
      .map(String)
      .filter(file => file.endsWith('.ts') && writes.test(readFileSync(join(ROOT, 'src', file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
    assert.deepEqual(files, ['report/sink.ts'])
  })
})
