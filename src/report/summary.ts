import { displayValue, type IssueResult, type RunReport } from './outcome.js'

const OUTCOME_ICONS: Record<string, string> = { updated: '✅', unchanged: '✅', 'dry-run': '📝', skipped: '⏭️' }

/**
 * The job summary: a table of every issue with a link, the fields, their values and the
 * outcome, then the remedy for each failure.
 */
export function summaryMarkdown(report: RunReport, jiraUrl: string): string {
  const lines = [
    `### Jira build result: ${report.result}`,
    '',
    '| Issue | Field | Value | Outcome |',
    '| --- | --- | --- | --- |'
  ]
  if (report.error) lines.splice(2, 2, report.error.message)
  for (const result of report.results) {
    const link = `[${result.issueKey}](${jiraUrl}/browse/${encodeURIComponent(result.issueKey)})`
    const entries = Object.entries(result.fields ?? {})
    const field = entries.map(([name]) => name).join(', ') || '—'
    const value = entries.map(([, fieldValue]) => displayValue(fieldValue)).join(', ') || '—'
    const icon = OUTCOME_ICONS[result.outcome] ?? '❌'
    lines.push(`| ${link} | ${cell(field)} | ${cell(value)} | ${icon} ${result.outcome} |`)
  }
  const failures = report.results.filter((result: IssueResult) => result.error)
  if (failures.length > 0) {
    lines.push('', '#### What to do', '')
    for (const result of failures) lines.push(`- **${result.issueKey}** (${result.outcome}): ${cell(result.error?.message ?? '')}`)
  }
  return `${lines.join('\n')}\n`
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
