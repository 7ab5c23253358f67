import { cap } from '../jira/redact.js'
import type { ChangeResult, IssueResult, RunReport } from './outcome.js'
import { plainText } from './sink.js'

const OUTCOME_ICONS: Record<string, string> = {
  set: '✅',
  added: '✅',
  removed: '✅',
  updated: '✅',
  posted: '✅',
  unchanged: '✅',
  'dry-run': '📝',
  skipped: '⏭️',
  cancelled: '⏹️'
}

/** What the summary's text may take, so the whole stays under the sink's 64 KiB whatever Jira answers. */
const BUDGET_CHARS = 56 * 1024
/** The most one cell or remedy shows; a comment's cell shows its start. */
const CELL_CHARS = 300
const COMMENT_CHARS = 120
const MESSAGE_CHARS = 1000

/**
 * The job summary: a table with a row for each change on each issue (the field as the user
 * named it, the link, the comment), the change and its own outcome, then the remedy for each
 * failure.
 * Every text passes `clean` (the sink's redaction) first, is cut, and only then escaped: Jira's
 * error text, keys and values (a branch name an outsider chose fills {ref}) must not become
 * Markdown or HTML, and an escape must not split a secret before it is found. Past a budget
 * the rest of the rows are counted, not listed.
 */
export function summaryMarkdown(report: RunReport, jiraUrl: string, clean: (text: string) => string = text => text): string {
  const text = (value: string, max = CELL_CHARS): string => escapeMarkdown(cap(plainText(clean(value)), max))
  const lines = [`### Jira build result: ${text(report.result)}`, '']
  let size = 0
  const add = (line: string): boolean => {
    if (size + line.length > BUDGET_CHARS) return false
    size += line.length + 1
    lines.push(line)
    return true
  }
  if (report.error && add(text(report.error.message, MESSAGE_CHARS))) lines.push('')
  if (report.results.length > 0) {
    lines.push('| Issue | Field, link or comment | Change | Outcome |', '| --- | --- | --- | --- |')
    const shown = report.results.findIndex(result => !rows(result, jiraUrl, text).every(add))
    if (shown >= 0) lines.push('', `*${(report.results.length - shown).toLocaleString('en-US')} more issue(s) not listed here: the outputs have every key.*`)
  }
  const failures = report.results.filter((result: IssueResult) => result.error)
  if (failures.length > 0) {
    lines.push('', '#### What to do', '')
    const shown = failures.findIndex(result => !add(`- **${text(result.issueKey)}** (${result.outcome}): ${text(result.error?.message ?? '', MESSAGE_CHARS)}`))
    if (shown >= 0) lines.push('', `*${(failures.length - shown).toLocaleString('en-US')} more failure(s) not listed here: the log has each.*`)
  }
  return `${lines.join('\n')}\n`
}

function rows(result: IssueResult, jiraUrl: string, text: (value: string, max?: number) => string): string[] {
  const link = `[${text(result.issueKey)}](${jiraUrl}/browse/${encodeURIComponent(result.issueKey)})`
  // An issue not attempted has no changes: one row says so.
  if (result.changes.length === 0) return [`| ${link} | — | — | ${icon(result.outcome)} ${result.outcome} |`]
  return result.changes.map(change => `| ${link} | ${text(change.target)} | ${changeCell(change, text)} | ${outcomeCell(change, text)} |`)
}

function changeCell(change: ChangeResult, text: (value: string, max?: number) => string): string {
  const operator = { set: '= ', add: '+= ', remove: '-= ', link: '', comment: '' }[change.action]
  return text(`${operator}${change.value ?? '—'}`, change.action === 'comment' ? COMMENT_CHARS : CELL_CHARS)
}

function outcomeCell(change: ChangeResult, text: (value: string) => string): string {
  return `${icon(change.outcome)} ${change.outcome}${change.reason ? `: ${text(change.reason)}` : ''}`
}

function icon(outcome: string): string {
  return OUTCOME_ICONS[outcome] ?? '❌'
}

/**
 * Text as it reads, never as Markdown or HTML: what opens a link, an image, code, emphasis or
 * a table cell is backslash-escaped (an underscore inside a word, as in customfield_10314,
 * means nothing and stays), angle brackets and ampersands become entities, and line breaks
 * become spaces.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- every line break a reader may honour
      .replace(/\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*[\]|~]/g, c => `\\${c}`)
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
  )
}
