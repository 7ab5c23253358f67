/**
 * Planning: which issues, which value. Pure functions from the inputs and the build's context
 * to the plan the core receives as data; a problem found on the way is reported like any other
 * input problem.
 */
import { describeSources, findIssueKeys, ISSUE_SOURCES, type IssueSource, type SourceText } from './issues/discover.js'
import { parseIssueKeyList } from './issues/keys.js'
import { fillTemplate, mapStatus, parseValueMap, type TemplateValues } from './issues/value.js'
import type { RawInputs } from './inputs.js'
import { text, type InputNamer, type Problem } from './options.js'
import type { IssueSelection } from './update.js'

/**
 * Which issues: the keys given, a JQL query, or the keys the build's context names. When none
 * is found, says where the run looked, as data the core words for the user.
 */
export function planIssues(raw: RawInputs, nameOf: InputNamer, problem: Problem, sourceTexts: SourceText[]): IssueSelection {
  const jql = text(raw, 'jql') || undefined
  const sources = (text(raw, 'issue-source') || ISSUE_SOURCES.join(',')).split(/[\s,]+/).filter(s => s !== '') as IssueSource[]
  const unknownSources = sources.filter(source => !ISSUE_SOURCES.includes(source))
  if (unknownSources.length > 0)
    problem('issue-source', `${unknownSources.map(s => `"${s}"`).join(', ')} unknown. Use any of ${ISSUE_SOURCES.join(', ')}, separated by commas.`)
  const projects = text(raw, 'projects')
    .split(/[\s,]+/)
    .filter(p => p !== '')
    .map(p => p.toUpperCase())
  const badProjects = projects.filter(p => !/^[A-Z][A-Z0-9_]+$/.test(p))
  if (badProjects.length > 0)
    problem(
      'projects',
      `${badProjects.map(p => `"${p}"`).join(', ')} ${badProjects.length === 1 ? 'is' : 'are'} not a project key. Write keys such as CI, separated by commas.`
    )

  const issueText = text(raw, 'issue')
  if (issueText !== '') {
    if (jql) problem('jql', `and ${nameOf('issue')} are both set. Select issues one way: by key or by JQL.`)
    const { keys, malformed } = parseIssueKeyList(issueText)
    if (malformed.length > 0) {
      const items = malformed.map(item => `"${item}"`).join(', ')
      problem(
        'issue',
        `${items} ${malformed.length === 1 ? 'is' : 'are'} not shaped like an issue key. Write keys as PROJECT-123, separated by commas, spaces or newlines.`
      )
    }
    return { by: 'keys', keys }
  }
  if (jql) return { by: 'jql', jql }
  const keys = findIssueKeys(sourceTexts, sources, projects)
  if (keys.length > 0) return { by: 'keys', keys, found: describeFound(sourceTexts, sources) }
  return { by: 'none', lookedIn: describeSources(sourceTexts, sources, projects) }
}

/** The value: `value`, or `value-map` looked up by `status`; then templates filled. */
export function planValue(raw: RawInputs, nameOf: InputNamer, problem: Problem, templateValues: TemplateValues): string | undefined {
  const status = text(raw, 'status')
  const mapText = text(raw, 'value-map')
  let value = raw.value === undefined || raw.value === '' ? undefined : raw.value
  if (mapText !== '') {
    const { map, malformed } = parseValueMap(mapText)
    if (malformed.length > 0)
      problem('value-map', `${malformed.map(m => `"${m}"`).join(', ')}: write entries as status=value, e.g. success=Build Passed, failure=Build Failed.`)
    if (value !== undefined) problem('value', `and ${nameOf('value-map')} are both set. Use value for a fixed value, value-map to choose one by status.`)
    if (status === '') {
      problem('status', `is empty, but ${nameOf('value-map')} is set. Pass the build status, e.g. \${{ job.status }} or currentBuild.currentResult.`)
      return undefined
    }
    value = mapStatus(status, map)
    if (value === undefined && malformed.length === 0) {
      problem('status', `"${status}" is not in ${nameOf('value-map')} (${[...map.keys()].join(', ')}). Add an entry for it.`)
      return undefined
    }
  }
  if (value === undefined) return undefined
  const filled = fillTemplate(value, { ...templateValues, status: status || undefined })
  if (filled.missing.length > 0) {
    problem(
      'value',
      `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`
    )
  }
  return filled.text
}

/** The places keys were looked for, as a phrase: "title, branch and commits". */
function describeFound(sourceTexts: SourceText[], sources: IssueSource[]): string {
  const names: Record<IssueSource, string> = { 'pr-title': 'title', branch: 'branch', commits: 'commits' }
  const looked = ISSUE_SOURCES.filter(source => sources.includes(source) && sourceTexts.some(text => text.source === source)).map(source => names[source])
  return looked.length <= 1 ? (looked[0] ?? 'texts') : `${looked.slice(0, -1).join(', ')} and ${looked[looked.length - 1]}`
}
