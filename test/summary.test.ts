/** The job summary (src/report/summary.ts): a row per change, with its own outcome, every outside text escaped. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JiraError } from '../src/jira/errors.js'
import { escapeMarkdown, summaryMarkdown } from '../src/report/summary.js'

describe('the job summary', () => {
  it('escapes Markdown and HTML in every text that came from outside', () => {
    assert.equal(
      escapeMarkdown('a|b <img> [x](y) `c` *d* _e_ customfield_10314\nnext'),
      'a\\|b &lt;img&gt; \\[x\\](y) \\`c\\` \\*d\\* \\_e\\_ customfield_10314 next'
    )
  })

  it('shows each change of each issue with its own outcome, the change attempted on failed rows, and what to do', () => {
    const error = new JiraError('not-found', 'Jira answered 404 Not Found: Issue Does Not Exist.', 'Check the issue key.', { issueKey: 'CI-9' })
    const field = { target: 'Build Result (customfield_10314)', origin: "input 'field'", action: 'set' as const, value: 'Build Passed' }
    const markdown = summaryMarkdown(
      {
        results: [
          {
            issueKey: 'CI-1',
            outcome: 'updated',
            changes: [
              { ...field, outcome: 'set' },
              { target: 'Labels (labels)', origin: "input 'set' line 1", action: 'add', value: 'ci-success', outcome: 'unchanged' },
              { target: 'remote link', origin: "input 'remote-link'", action: 'link', value: 'Build #57 [passed](x)', outcome: 'updated' },
              {
                target: 'comment',
                origin: "input 'comment'",
                action: 'comment',
                outcome: 'skipped',
                reason: "status success is not in input 'comment-on' (failure)"
              }
            ]
          },
          { issueKey: 'CI-9', outcome: 'not-found', changes: [{ ...field, outcome: 'failed', reason: error.reason }], error }
        ],
        updated: ['CI-1'],
        unchanged: [],
        failed: ['CI-9'],
        result: 'not-found'
      },
      'https://jira.example.com'
    )
    const rows = markdown.split('\n').filter(line => line.startsWith('| [CI-'))
    assert.deepEqual(rows, [
      '| [CI-1](https://jira.example.com/browse/CI-1) | Build Result (customfield_10314) | = Build Passed | ✅ set |',
      '| [CI-1](https://jira.example.com/browse/CI-1) | Labels (labels) | += ci-success | ✅ unchanged |',
      '| [CI-1](https://jira.example.com/browse/CI-1) | remote link | Build #57 \\[passed\\](x) | ✅ updated |',
      "| [CI-1](https://jira.example.com/browse/CI-1) | comment | — | ⏭️ skipped: status success is not in input 'comment-on' (failure) |",
      '| [CI-9](https://jira.example.com/browse/CI-9) | Build Result (customfield_10314) | = Build Passed | ❌ failed: Jira answered 404 Not Found: Issue Does Not Exist. |'
    ])
    assert.match(markdown, /- \*\*CI-9\*\* \(not-found\): Jira answered 404 Not Found: Issue Does Not Exist\. Check the issue key\./)
  })
})
