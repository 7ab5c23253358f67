/**
 * Planning: which issues, and what changes on each. Pure functions from the inputs and the
 * build's context to the plan the core receives as data; a problem found on the way is reported
 * like any other input problem.
 */
import { describeSources, findIssueKeys, ISSUE_SOURCES, type IssueSource, type SourceText } from './issues/discover.js'
import { parseIssueKeyList } from './issues/keys.js'
import { globalIdOf, type CiRun } from './issues/link.js'
import { fillTemplate, mapStatus, parseValueMap, statusNames, type TemplateValues } from './issues/value.js'
import { text, type InputName, type InputNamer, type Problem, type RawInputs } from './inputs.js'

/** Which issues a run updates: keys, a JQL query, or none found (and where the run looked). */
export type IssueSelection =
  | {
      by: 'keys'
      keys: string[]
      /** Where keys found in the build's context came from ("title and branch"); absent for the issue input. */
      found?: string
    }
  | { by: 'jql'; jql: string }
  | { by: 'none'; lookedIn: string }

/** How a change treats the field: set its value, or add or remove items of a list (Jira's update verbs). */
export type FieldOperation = 'set' | 'add' | 'remove'

/** One change of a field, as the user wrote it, templates filled. */
export interface FieldChange {
  /** Where it was written, for messages: "set line 2", or "field" for the field and value inputs. */
  origin: string
  /** The field by id or by name, as written. */
  field: string
  operation: FieldOperation
  /** The value (or the item, for add and remove) as a person writes it. */
  value: string
}

/** The link to the run each issue gets, upserted by its globalId. */
export interface RemoteLinkPlan {
  globalId: string
  title: string
  url: string
  /** The build status, lower case, when known. */
  status?: string
  application: { name: string; icon?: string }
  statusIcon?: string
}

/** The comment each issue gets, or why none is posted this run. */
export type CommentPlan = { post: true; body: string } | { post: false; reason: string }

/**
 * Which issues: the keys given, a JQL query, or the keys the build's context names. When none
 * is found, says where the run looked, as data the core words for the user.
 */
export function planIssues(raw: RawInputs, nameOf: InputNamer, problem: Problem, sourceTexts: SourceText[]): IssueSelection {
  const jql = text(raw, 'jql') || undefined
  const sources = text(raw, 'issue-source')
    .split(/[\s,]+/)
    .filter(s => s !== '') as IssueSource[]
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

const OPERATORS: Record<string, FieldOperation> = { '=': 'set', '+=': 'add', '-=': 'remove' }

/**
 * The field changes: the field and value inputs, then each line of `set` ("Name = value",
 * "Name += item", "Name -= item"), templates filled. A field changed twice in ways Jira
 * refuses together (set twice, or set and add) is a problem named with both lines.
 */
export function planChanges(raw: RawInputs, nameOf: InputNamer, problem: Problem, templateValues: TemplateValues, value: string | undefined): FieldChange[] {
  const changes: FieldChange[] = []
  const field = text(raw, 'field')
  if (field !== '' && value !== undefined) changes.push({ origin: nameOf('field'), field, operation: 'set', value })
  const status = text(raw, 'status') || undefined
  const lines = (raw.set ?? '').split(/\r?\n/)
  for (const [index, line] of lines.entries()) {
    const written = line.trim()
    if (written === '' || written.startsWith('#')) continue
    const origin = `${nameOf('set')} line ${index + 1}`
    const match = /^(.*?)\s*(\+=|-=|=)\s*(.*)$/.exec(written)
    if (!match || match[1] === '') {
      problem('set', `line ${index + 1} "${written}" is not a change. Write Name = value, Name += item or Name -= item, one a line.`)
      continue
    }
    const [, name, operator, template] = match
    const operation = OPERATORS[operator]
    if (operation !== 'set' && template === '') {
      problem('set', `line ${index + 1} "${written}" names no item to ${operation}. Write ${name} ${operator} item.`)
      continue
    }
    const filled = fillTemplate(template, { ...templateValues, status })
    if (filled.missing.length > 0) {
      problem(
        'set',
        `line ${index + 1} uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`
      )
    }
    changes.push({ origin, field: name, operation, value: filled.text })
  }
  for (const clash of clashes(changes, change => change.field.trim().toLowerCase())) {
    problem(
      clash[1].origin.includes(nameOf('set')) ? 'set' : 'field',
      `${clash.map(c => c.origin).join(' and ')} both change ${clash[0].field} in ways Jira refuses together (a field is set once, or has items added and removed). Keep one.`
    )
  }
  return changes
}

/**
 * Pairs of changes Jira refuses in one edit, by the field each names: a field set twice, or
 * set and also added to or removed from (a field may not be in both "fields" and "update").
 */
export function clashes<T extends { operation: FieldOperation }>(changes: T[], fieldOf: (change: T) => string): T[][] {
  const found: T[][] = []
  for (const [i, change] of changes.entries()) {
    const earlier = changes.slice(0, i).find(other => fieldOf(other) === fieldOf(change) && (other.operation === 'set' || change.operation === 'set'))
    if (earlier) found.push([earlier, change])
  }
  return found
}

/**
 * The remote link: its title filled, pointing at the run, with the globalId of this pipeline
 * and the icon of the status. The run's URL and the pipeline are needed; a run that knows
 * neither is a problem named with what to set.
 */
export function planRemoteLink(raw: RawInputs, problem: Problem, templateValues: TemplateValues, ci: CiRun | undefined): RemoteLinkPlan | undefined {
  const template = text(raw, 'remote-link')
  if (template === '') return undefined
  const status = text(raw, 'status').toLowerCase() || undefined
  const filled = fillTemplate(template, { ...templateValues, status })
  if (filled.missing.length > 0) problem('remote-link', `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know.`)
  const url = templateValues.run_url
  if (!url) problem('remote-link', 'links to the run, but this run does not know its URL (GitHub sets GITHUB_RUN_ID; Jenkins sets BUILD_URL).')
  if (!ci?.scope) problem('remote-link', 'needs to know which pipeline this is (GITHUB_REPOSITORY and GITHUB_WORKFLOW; Jenkins sets JOB_URL or JOB_NAME).')
  if (!url || !ci?.scope) return undefined
  const statusIcon =
    status === undefined
      ? undefined
      : statusNames(status)
          .map(name => ci.statusIcons?.[name])
          .find(icon => icon !== undefined)
  return { globalId: globalIdOf(ci.scope), title: filled.text, url, status, application: { name: ci.name, icon: ci.icon }, statusIcon }
}

/** The comment: its body filled, posted when the status is among comment-on (every status when empty). */
export function planComment(raw: RawInputs, nameOf: InputNamer, problem: Problem, templateValues: TemplateValues): CommentPlan | undefined {
  const template = raw.comment ?? ''
  const on = text(raw, 'comment-on')
    .split(/[\s,]+/)
    .filter(s => s !== '')
    .map(s => s.toLowerCase())
  if (template.trim() === '') {
    if (on.length > 0) problem('comment-on', `is set, but ${nameOf('comment')} is empty. Write the comment to post.`)
    return undefined
  }
  const status = text(raw, 'status')
  const filled = fillTemplate(template.trim(), { ...templateValues, status: status || undefined })
  if (filled.missing.length > 0) {
    const input: InputName = 'comment'
    problem(
      input,
      `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`
    )
  }
  if (on.length === 0) return { post: true, body: filled.text }
  if (status === '') {
    problem('status', `is empty, but ${nameOf('comment-on')} chooses by status. Pass the build status, e.g. \${{ job.status }} or currentBuild.currentResult.`)
    return undefined
  }
  if (statusNames(status).some(name => on.includes(name))) return { post: true, body: filled.text }
  return { post: false, reason: `status ${status} is not in ${nameOf('comment-on')} (${on.join(', ')})` }
}
