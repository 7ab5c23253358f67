// Writes the licenses of every library the bundles carry to stdout, for dist/licenses.txt.
// ncc's own --license output lists only the modules of the last chunk it emits, and the
// action's bundle has two chunks (the GitHub context is loaded lazily), so it would drop most
// of them. The libraries are devDependencies (dist/ is self-contained, so installing the
// package installs nothing), so they are named here and their dependencies walked.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const BUNDLED = ['@actions/core', '@actions/github', '@actions/http-client', 'node-forge', 'oauth-1.0a']
const root = join(dirname(new URL(import.meta.url).pathname), '..')

/** Where Node would find `name` from `from`: the nearest node_modules above it that has it. */
function resolve(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dir === root || dir === dirname(dir)) return undefined
  }
}

const seen = new Map()
const walk = dir => {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (seen.has(manifest.name)) return
  const file = readdirSync(dir).find(name => /^(licen[cs]e|copying)(\.|$)/i.test(name))
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : ''
  seen.set(manifest.name, `${manifest.name}\n${manifest.license ?? 'UNKNOWN'}\n${text}`)
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const found = resolve(dependency, dir)
    if (found) walk(found)
  }
}
for (const name of BUNDLED) walk(resolve(name, root))

process.stdout.write(
  [...seen.keys()]
    .sort()
    .map(name => seen.get(name))
    .join('\n\n') + '\n'
)
