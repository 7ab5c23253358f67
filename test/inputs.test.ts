/** One declaration of every input: action.yml, the CLI's flags and --help, and the README agree with it. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { INPUTS } from '../src/inputs.js'
import { ROOT, runCli } from './helpers.js'

interface YamlInput {
  name: string
  description?: string
  required?: boolean
  default?: string
}

/** The inputs block of action.yml, read as the flat YAML it is (quoted scalars, no nesting deeper than one). */
function actionInputs(): YamlInput[] {
  const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8')
  const block = yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:'))
  const scalar = (raw: string): string => (raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw.startsWith('"') ? (JSON.parse(raw) as string) : raw)
  const inputs: YamlInput[] = []
  for (const line of block.split('\n')) {
    const name = /^ {2}([a-z-]+):$/.exec(line)
    const field = /^ {4}(description|required|default): (.*)$/.exec(line)
    if (name) inputs.push({ name: name[1] })
    else if (field && inputs.length > 0) {
      const current = inputs[inputs.length - 1]
      if (field[1] === 'required') current.required = field[2] === 'true'
      else current[field[1] as 'description' | 'default'] = scalar(field[2])
    }
  }
  return inputs
}

describe('one declaration of every input', () => {
  it('is what action.yml declares: the same inputs in order, descriptions, defaults and required', () => {
    const declared = INPUTS.map(spec => ({
      name: spec.name,
      description: spec.description,
      required: spec.required === true,
      ...(spec.default === undefined ? {} : { default: spec.default })
    }))
    const yml = actionInputs().map(input => ({ ...input, required: input.required === true }))
    assert.deepEqual(yml, declared)
    for (const spec of INPUTS.filter(input => input.secret)) assert.equal(spec.default, undefined, `${spec.name} is a secret and has a default`)
  })

  it("is what the README's input table lists, with the same defaults", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const start = readme.indexOf('### Inputs')
    const table = readme.slice(start, readme.indexOf('\n#', start + 1))
    const listed = [...table.matchAll(/^\| `([a-z-]+)` \|\s*([^|]*?)\s*\|/gm)].map(m => ({ name: m[1], default: m[2].trim() }))
    assert.deepEqual(
      listed.map(row => row.name),
      INPUTS.map(spec => spec.name)
    )
    for (const row of listed) {
      const spec = INPUTS.find(input => input.name === row.name)
      const expected = spec?.required ? 'required' : spec?.default !== undefined ? `\`'${spec.default}'\`` : ''
      assert.equal(row.default, expected, row.name)
    }
  })

  it('gives the CLI a flag for every input it declares one for, and never one for a secret', async () => {
    const { flagsOf } = await import('../src/commands/flags.js')
    const update = flagsOf('update')
    for (const spec of INPUTS) {
      if (spec.secret) assert.equal(update[spec.name], undefined, spec.name)
      else if (spec.cli.flag && spec.cli.commands.includes('update')) assert.equal(update[spec.name]?.type, spec.cli.flag, spec.name)
    }
    assert.deepEqual(
      Object.keys(flagsOf('check'))
        .filter(name => INPUTS.some(spec => spec.name === name))
        .sort(),
      ['api-url', 'ca-certificate', 'client-id', 'consumer-key', 'jira-url', 'max-retries', 'scope', 'timeout', 'token-url', 'user']
    )
  })

  it('lists every flag and variable of a command in its --help', async () => {
    const help = await runCli(['update', '--help'], {})
    assert.equal(help.code, 0)
    for (const spec of INPUTS.filter(input => input.cli.commands.includes('update'))) {
      if (spec.cli.flag) assert.ok(help.stdout.includes(`--${spec.name}`), spec.name)
      if (spec.secret) assert.ok(help.stdout.includes(spec.cli.env ?? '?'), spec.name)
    }
  })
})
