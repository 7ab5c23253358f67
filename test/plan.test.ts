/** Planning (src/plan.ts): the changes, the remote link and the comment, as pure functions of the inputs and the build's context. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { githubRun, jenkinsRun } from '../src/issues/link.js'
import type { InputName, RawInputs } from '../src/inputs.js'
import { actionInputName } from '../src/options.js'
import { planChanges, planComment, planRemoteLink } from '../src/plan.js'

/** Runs a planner and returns what it planned and every problem it reported. */
function planned<T>(plan: (problem: (input: InputName, message: string) => void) => T): { value: T; problems: string[] } {
  const problems: string[] = []
  const value = plan((input, message) => problems.push(`${input}: ${message}`))
  return { value, problems }
}

const values = { run_url: 'https://ci.example/run/9', run_number: '9' }

describe('planning the changes of a run', () => {
  it('reads one change a line with its operator, fills templates and numbers the lines as written', () => {
    const raw: RawInputs = {
      field: 'Build Result',
      status: 'failure',
      set: 'Build Link = {run_url}\n# a note\n\nLabels += ci-{status}\n  Labels -= ci-running  \nURL = https://x.example/?a=b'
    }
    const { value, problems } = planned(problem => planChanges(raw, actionInputName, problem, values, 'Build Failed'))
    assert.deepEqual(problems, [])
    assert.deepEqual(value, [
      { origin: "input 'field'", field: 'Build Result', operation: 'set', value: 'Build Failed' },
      { origin: "input 'set' line 1", field: 'Build Link', operation: 'set', value: 'https://ci.example/run/9' },
      { origin: "input 'set' line 4", field: 'Labels', operation: 'add', value: 'ci-failure' },
      { origin: "input 'set' line 5", field: 'Labels', operation: 'remove', value: 'ci-running' },
      { origin: "input 'set' line 6", field: 'URL', operation: 'set', value: 'https://x.example/?a=b' }
    ])
  })

  it('names the line of a change it cannot read, an item missing, a template this run cannot fill and a clash', () => {
    const raw: RawInputs = { set: 'Build Link\nLabels +=\nBuild Number = {sha}\nLabels = a\nlabels += b' }
    const { problems } = planned(problem => planChanges(raw, actionInputName, problem, values, undefined))
    assert.deepEqual(problems, [
      'set: line 1 "Build Link" is not a change. Write Name = value, Name += item or Name -= item, one a line.',
      'set: line 2 "Labels +=" names no item to add. Write Labels += item.',
      'set: line 3 uses {sha}, which this run does not know.',
      "set: input 'set' line 4 and input 'set' line 5 both change Labels in ways Jira refuses together (a field is set once, or has items added and removed). Keep one."
    ])
  })
})

describe('planning the remote link', () => {
  it('gives each GitHub workflow file its own stable globalId, whatever the ref, with the icon of the status', () => {
    const env = { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKFLOW: 'CI', GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/ci.yml@refs/pull/7/merge' }
    const { value, problems } = planned(problem =>
      planRemoteLink({ 'remote-link': 'Build #{run_number}: {status}', status: 'Failure' }, problem, values, githubRun(env))
    )
    assert.deepEqual(problems, [])
    assert.deepEqual(value, {
      globalId: 'jira-build-result:https://github.com/acme/app/.github/workflows/ci.yml',
      title: 'Build #9: failure',
      url: 'https://ci.example/run/9',
      status: 'failure',
      application: { name: 'GitHub Actions', icon: 'https://github.githubassets.com/favicons/favicon.png' },
      statusIcon: 'https://github.githubassets.com/favicons/favicon-failure.png'
    })
  })

  it('gives each Jenkins job its own globalId, and an UNSTABLE build the unstable icon', () => {
    const ci = jenkinsRun({ JENKINS_URL: 'https://jenkins.example/', JOB_URL: 'https://jenkins.example/job/app/job/main/' })
    const { value } = planned(problem => planRemoteLink({ 'remote-link': 'Build #{run_number}', status: 'UNSTABLE' }, problem, values, ci))
    assert.equal(value?.globalId, 'jira-build-result:https://jenkins.example/job/app/job/main/')
    assert.equal(value?.statusIcon, 'https://jenkins.example/images/16x16/yellow.png')
  })

  it('keeps a long globalId within the 255 characters Jira takes', () => {
    const ci = { name: 'Jenkins', scope: `https://jenkins.example/${'job/x/'.repeat(60)}` }
    const { value } = planned(problem => planRemoteLink({ 'remote-link': 'Build' }, problem, values, ci))
    assert.match(value?.globalId ?? '', /^jira-build-result:sha256:[0-9a-f]{64}$/)
  })

  it('says what is missing when the run has no URL or no pipeline to link', () => {
    const { value, problems } = planned(problem => planRemoteLink({ 'remote-link': 'Build' }, problem, {}, jenkinsRun({})))
    assert.equal(value, undefined)
    assert.deepEqual(problems, [
      'remote-link: links to the run, but this run does not know its URL (GitHub sets GITHUB_RUN_ID; Jenkins sets BUILD_URL).',
      'remote-link: needs to know which pipeline this is (GITHUB_REPOSITORY and GITHUB_WORKFLOW; Jenkins sets JOB_URL or JOB_NAME).'
    ])
  })
})

describe('planning the comment', () => {
  it('posts on every status by default, and on the statuses comment-on names, Jenkins results included', () => {
    const plan = (raw: RawInputs) => planned(problem => planComment({ comment: 'Build {run_number} {status}', ...raw }, actionInputName, problem, values)).value
    assert.deepEqual(plan({ status: 'success' }), { post: true, body: 'Build 9 success' })
    assert.deepEqual(plan({ status: 'ABORTED', 'comment-on': 'failure, cancelled' }), { post: true, body: 'Build 9 ABORTED' })
    assert.deepEqual(plan({ status: 'success', 'comment-on': 'failure, cancelled' }), {
      post: false,
      reason: "status success is not in input 'comment-on' (failure, cancelled)"
    })
  })

  it('asks for the status when comment-on chooses by it, and for a comment when only comment-on is set', () => {
    const { problems } = planned(problem => planComment({ comment: 'Build', 'comment-on': 'failure' }, actionInputName, problem, values))
    assert.match(problems[0], /^status: is empty, but input 'comment-on' chooses by status/)
    const alone = planned(problem => planComment({ 'comment-on': 'failure' }, actionInputName, problem, values))
    assert.deepEqual(alone.problems, ["comment-on: is set, but input 'comment' is empty. Write the comment to post."])
  })
})
