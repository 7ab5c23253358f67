/**
 * jira-url is refused, before anything is sent, when it carries a user name or password in any
 * spelling the WHATWG URL parser accepts, or a control character the parser would silently
 * drop; no message repeats the password, however many problems are reported at once.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { InputError, parseUpdateOptions, type RawInputs } from '../src/options.js'
import { newAccessToken, oauthInputs, runAction, startSimulator } from './helpers.js'
import type { JiraSimulator } from './sim/jira.js'

const PASSWORD = 's3cr3t-Pw'

const valid = (jiraUrl: string, extra: RawInputs = {}): RawInputs => ({
  'jira-url': jiraUrl,
  'personal-access-token': 'abcdefgh12345678',
  issue: 'CI-1',
  field: 'customfield_10314',
  value: 'Build Passed',
  ...extra
})

function problemsOf(raw: RawInputs): string[] {
  try {
    parseUpdateOptions(raw)
  } catch (error) {
    assert.ok(error instanceof InputError, String(error))
    return error.problems.map(p => p.message)
  }
  assert.fail(`${raw['jira-url']} was accepted`)
}

// Every way to write a user name and password that Node's URL parser (WHATWG, as browsers) takes.
const USERINFO = [
  `http://bob:${PASSWORD}@jira.example.com/jira`,
  `http:/bob:${PASSWORD}@jira.example.com/jira`,
  `http:\\\\bob:${PASSWORD}@jira.example.com/jira`,
  `http:bob:${PASSWORD}@jira.example.com/jira`,
  `HTTPS:///bob:${PASSWORD}@jira.example.com/jira`,
  `https:/\\bob:${PASSWORD}@jira.example.com`,
  `https://bob:${PASSWORD}@jira.example.com@evil.example/jira`,
  `https://bob:s3c/${PASSWORD}@jira.example.com`,
  `https://bob%40corp:${PASSWORD}@jira.example.com`,
  `https://:${PASSWORD}@jira.example.com`,
  `htps://bob:${PASSWORD}@jira.example.com/jira?x=1#y`
]

describe('jira-url with a user name or password, in every spelling', () => {
  for (const jiraUrl of USERINFO) {
    it(`refuses ${JSON.stringify(jiraUrl)} without repeating the password`, () => {
      // Each parses to a URL with credentials: the refusal is not a parser failure.
      const parsed = URL.canParse(jiraUrl) ? new URL(jiraUrl) : undefined
      if (parsed && /^https?:$/.test(parsed.protocol)) assert.ok(parsed.password !== '' || parsed.username !== '' || jiraUrl.includes('/s3c/'))
      // With other problems in the same run: a bad jira-url and a bad issue and a bad boolean.
      const problems = problemsOf(valid(jiraUrl, { issue: 'not a key', 'dry-run': 'maybe' }))
      const urlProblems = problems.filter(p => p.startsWith("input 'jira-url'"))
      assert.equal(urlProblems.length, 1, problems.join('\n'))
      assert.match(
        urlProblems[0],
        /^input 'jira-url': must not contain a user name or password \(it holds an '@'\)\. Pass credentials through their own inputs/
      )
      for (const problem of problems) {
        assert.ok(!problem.includes(PASSWORD), problem)
        assert.ok(!problem.includes('bob'), problem)
      }
    })
  }
})

describe('jira-url with a control or invisible character', () => {
  const hidden: Array<[string, string]> = [
    ['a line feed', '\n'],
    ['a carriage return', '\r'],
    ['a tab', '\t'],
    ['a NUL', '\u0000'],
    ['a DEL', '\u007f'],
    ['a next-line (U+0085)', '\u0085'],
    ['a zero-width space', '\u200b'],
    ['a line separator', '\u2028']
  ]
  for (const [name, character] of hidden) {
    it(`refuses ${name} inside, which the parser would drop or mangle`, () => {
      const jiraUrl = `https://jira.exa${character}mple.com/jira`
      const problems = problemsOf(valid(jiraUrl))
      const code = `U+${character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`
      assert.deepEqual(problems, [
        `input 'jira-url': holds a control or invisible character (${code} at position 17), such as a line break or a tab. Write the URL on one line, without them.`
      ])
    })
  }

  it('refuses a control character in a URL that also holds a password, repeating neither', () => {
    const problems = problemsOf(valid(`https://bob:${PASSWORD}@jira.example.com/ji\nra`))
    assert.equal(problems.length, 1)
    assert.ok(!problems[0].includes(PASSWORD))
  })
})

describe('jira-url spelled in ways the parser repairs silently', () => {
  const cases: Array<[string, RegExp]> = [
    ['https:\\\\jira.example.com\\jira', /holds a backslash\. Write the URL with forward slashes, e\.g\. https:\/\/jira\.example\.com\/jira\./],
    ['https://jira.example.com\\jira', /holds a backslash/],
    ['https:jira.example.com/jira', /must start with https:\/\/ and the host name\. Write it as https:\/\/jira\.example\.com\/jira\./],
    ['https:///jira.example.com/jira', /must start with https:\/\/ and the host name/],
    ['https://jira.example.com/my jira', /holds a space/]
  ]
  for (const [jiraUrl, message] of cases) {
    it(`refuses ${JSON.stringify(jiraUrl)}`, () => {
      const problems = problemsOf(valid(jiraUrl))
      assert.equal(problems.length, 1, problems.join('\n'))
      assert.match(problems[0], message)
    })
  }

  it('still takes a plain base URL, trailing slash and all', () => {
    assert.equal(parseUpdateOptions(valid('https://jira.example.com/jira/')).jiraUrl, 'https://jira.example.com/jira')
    assert.equal(parseUpdateOptions(valid('HTTP://Jira.Example.com:8080')).jiraUrl, 'http://jira.example.com:8080')
  })
})

describe('jira-url with credentials, through the bundled action: nothing is sent', () => {
  let sim: JiraSimulator
  let token: string
  before(async () => {
    token = newAccessToken()
    sim = await startSimulator({ accessToken: token })
  })
  after(() => sim.close())

  for (const spelling of ['http://', 'http:/', 'http:\\\\', 'http:']) {
    it(`refuses ${spelling}bob:…@ pointing at a live Jira`, async () => {
      sim.requests.length = 0
      const jiraUrl = sim.baseUrl.replace('http://', `${spelling}bob:${PASSWORD}@`)
      const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed', 'jira-url': jiraUrl }))
      assert.equal(run.code, 1)
      assert.equal(run.outputs.result, 'invalid')
      assert.match(run.log, /input 'jira-url': must not contain a user name or password/)
      assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD))
      assert.equal(sim.requests.length, 0)
    })
  }

  it('refuses a line break inside, which the parser would remove before sending', async () => {
    sim.requests.length = 0
    const jiraUrl = sim.baseUrl.replace('/jira', '/ji\r\nra')
    const run = await runAction(oauthInputs(sim, token, { issue: 'CI-1', field: 'customfield_10314', value: 'Build Passed', 'jira-url': jiraUrl }))
    assert.equal(run.code, 1)
    assert.equal(run.outputs.result, 'invalid')
    assert.match(run.log, /input 'jira-url': holds a control or invisible character \(U\+000D/)
    assert.equal(sim.requests.length, 0)
  })
})
