/** What the project says of itself, in several files, agrees: versions, Node.js, the changelog. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { splitGenerated } from '../bench/figures.js'
import { ROOT } from './helpers.js'

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')
const packageJson = JSON.parse(read('package.json')) as { version: string; engines: { node: string } }

describe('the project agrees with itself', () => {
  it("has a CHANGELOG.md section for package.json's version, which the release workflow requires", () => {
    const headings = [...read('CHANGELOG.md').matchAll(/^## (\S+)/gm)].map(m => m[1])
    assert.ok(headings.includes(packageJson.version), `no "## ${packageJson.version}" in ${headings.join(', ')}`)
  })

  it('names one oldest Node.js in engines, the CLI, CI and the README', () => {
    const oldest = /^>=(\d+)$/.exec(packageJson.engines.node)?.[1]
    assert.ok(oldest, packageJson.engines.node)
    assert.match(read('src/cli.ts'), new RegExp(`const OLDEST_NODE = ${oldest}\\n`))
    const matrix = /node: \[([^\]]+)\]/
      .exec(read('.github/workflows/ci.yml'))?.[1]
      .split(',')
      .map(v => v.trim())
    assert.equal(matrix?.[0], oldest, 'ci.yml tests the oldest supported Node.js first')
    const readme = read('README.md')
    const claims = [...readme.matchAll(/Node\.js (\d+(?:\.\d+)?) or later/g)].map(m => m[1])
    assert.ok(claims.length > 0)
    assert.deepEqual([...new Set(claims)], [oldest])
  })

  it('keeps every measurement in BENCHMARKS.md inside the part npm run bench -- --write generates', () => {
    const parts = splitGenerated(read('BENCHMARKS.md'))
    assert.ok(parts, 'BENCHMARKS.md has its generated part')
    // A number with a unit of time, size or ratio, outside the generated part, was typed by hand.
    const typed = parts.outside.match(/\d+(?:\.\d+)?\s?(?:ms|s|KiB|MiB|GiB|×|x)(?![\w-])/g) ?? []
    assert.deepEqual(typed, [])
    assert.match(parts.inside, /^## The run kept here: /m)
    assert.match(parts.inside, /^### Goals$/m)
  })
})
