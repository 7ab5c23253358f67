import { displayValue, type IssueResult, type RunReport } from './outcome.js'

const OUTCOME_ICONS: Record<string, string> = { updated: '✅', unchanged: '✅', 'dry-run': '📝', skipped: '⏭️', cancelled: '⏹️' }

/**
 * The job summary: a table of every issue with a link, the field as the user named it, the
 * value set (or attempted, on failed rows) and the outcome, then the remedy for each failure.
 * Every text is escaped: Jira's error text, keys and values (a branch name an outsider chose
 * fills {ref}) must not become Markdown or HTML.
 */
export function summaryMarkdown(report: RunReport, jiraUrl: string): string {
  const lines = [`### Jira build result: ${escapeMarkdown(report.result)}`, '']
  if (report.error) lines.push(escapeMarkdown(report.error.message), '')
  if (report.results.length > 0) {
    lines.push('| Issue | Field | Value | Outcome |', '| --- | --- | --- | --- |')
    for (const result of report.results) lines.push(row(result, report, jiraUrl))
  }
  const failures = report.results.filter((result: IssueResult) => result.error)
  if (failures.length > 0) {
    lines.push('', '#### What to do', '')
    for (const result of failures) lines.push(`- **${escapeMarkdown(result.issueKey)}** (${result.outcome}): ${escapeMarkdown(result.error?.message ?? '')}`)
  }
  return `${lines.join('\n')}\n`
}

function row(result: IssueResult, report: RunReport, jiraUrl: string): string {
  const link = `[${escapeMarkdown(result.issueKey)}](${jiraUrl}/browse/${encodeURIComponent(result.issueKey)})`
  const entries = Object.entries(result.fields ?? {})
  const named = (id: string): string => (report.field && report.field.endsWith(`(${id})`) ? report.field : id)
  const field = entries.map(([id]) => named(id)).join(', ') || report.field || '—'
  const shown = entries.map(([, fieldValue]) => displayValue(fieldValue)).join(', ')
  // A failed row has no fields sent: show what was attempted.
  const value = shown || (report.value !== undefined ? `${report.value} (attempted)` : '—')
  const icon = OUTCOME_ICONS[result.outcome] ?? '❌'
  return `| ${link} | ${escapeMarkdown(field)} | ${escapeMarkdown(value)} | ${icon} ${result.outcome} |`
}

/**
 * Text as it reads, never as Markdown or HTML: what opens a link, an image, code, emphasis or
 * a table cell is backslash-escaped (an underscore inside a word, as in customfield_10314,
 * means nothing and stays), angle brackets and ampersands become entities, and line breaks
 * become spaces.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*[\]|~]/g, c => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
}
