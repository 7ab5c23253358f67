// Writes the licenses of every production dependency to stdout, for dist/licenses.txt.
// ncc's own --license output lists only the modules of the last chunk it emits, and the
// action's bundle has two chunks (the GitHub context is loaded lazily), so it would drop
// most of them.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const dirs = execFileSync(npm, ['ls', '--omit=dev', '--all', '--parseable'], { encoding: 'utf8' })
  .split('\n')
  .filter(dir => dir.includes('node_modules'))
const seen = new Map()
for (const dir of dirs) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (seen.has(manifest.name)) continue
  const file = readdirSync(dir).find(name => /^(licen[cs]e|copying)(\.|$)/i.test(name))
  const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() : ''
  seen.set(manifest.name, `${manifest.name}\n${manifest.license ?? 'UNKNOWN'}\n${text}`)
}
process.stdout.write(
  [...seen.keys()]
    .sort()
    .map(name => seen.get(name))
    .join('\n\n') + '\n'
)
