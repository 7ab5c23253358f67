/** The fields and issues the simulated Jira starts with. */

export interface SimFieldDef {
  id: string
  name: string
  custom: boolean
  schema: { type: string; items?: string; custom?: string; customId?: number; system?: string }
  /** Options have a value, versions and components a name. */
  allowedValues?: Array<{ id: string; value?: string; name?: string }>
  /** Whether the field is on the edit screen of the simulator's issues. */
  onScreen: boolean
}

const CUSTOM = 'com.atlassian.jira.plugin.system.customfieldtypes:'

function custom(id: number, name: string, type: string, kind: string, extra: Partial<SimFieldDef> = {}): SimFieldDef {
  return {
    id: `customfield_${id}`,
    name,
    custom: true,
    schema: { type, custom: `${CUSTOM}${kind}`, customId: id, ...(type === 'array' ? { items: kind === 'labels' ? 'string' : 'option' } : {}) },
    onScreen: true,
    ...extra
  }
}

/** Jira's field catalogue as `GET /rest/api/2/field` lists it, with screen membership. */
export function defaultFields(): SimFieldDef[] {
  return [
    custom(10314, 'Build Result', 'option', 'select', {
      allowedValues: ['Build Passed', 'Build Failed', 'Build Aborted', 'Build Unstable', 'Development Completed'].map((value, i) => ({
        id: String(10100 + i),
        value
      }))
    }),
    custom(10315, 'Build Link', 'string', 'url'),
    custom(10316, 'Build Number', 'number', 'float'),
    custom(10317, 'Build Notes', 'string', 'textarea'),
    custom(10318, 'Build Date', 'date', 'datepicker'),
    custom(10319, 'Built At', 'datetime', 'datetime'),
    custom(10320, 'Platforms', 'array', 'multiselect', {
      allowedValues: ['Linux', 'macOS', 'Windows'].map((value, i) => ({ id: String(10200 + i), value }))
    }),
    custom(10321, 'Build Commit', 'string', 'textfield'),
    custom(10322, 'Build Tags', 'array', 'labels'),
    custom(10323, 'Build Owner', 'user', 'userpicker'),
    // Two fields share a name, as happens after a plugin migration.
    custom(10330, 'Build Status', 'string', 'textfield'),
    custom(10331, 'Build Status', 'string', 'textfield'),
    custom(11623, 'Legacy Status', 'string', 'textfield', { onScreen: false }),
    { id: 'labels', name: 'Labels', custom: false, schema: { type: 'array', items: 'string', system: 'labels' }, onScreen: true },
    {
      id: 'fixVersions',
      name: 'Fix Version/s',
      custom: false,
      schema: { type: 'array', items: 'version', system: 'fixVersions' },
      allowedValues: ['1.0', '1.1', '2.0'].map((name, i) => ({ id: String(10400 + i), name })),
      onScreen: true
    },
    { id: 'summary', name: 'Summary', custom: false, schema: { type: 'string', system: 'summary' }, onScreen: true }
  ]
}

export interface SimIssue {
  key: string
  id: string
  project: string
  issueType: string
  fields: Record<string, unknown>
  fixVersion?: string
  /** The user may browse but not edit it: PUT answers 403. */
  readOnly?: boolean
  /** Remote issue links, as POST .../remotelink made them. */
  remoteLinks?: SimRemoteLink[]
  /** Comments, as POST .../comment made them. */
  comments?: SimComment[]
}

export interface SimRemoteLink {
  id: number
  globalId?: string
  application?: unknown
  relationship?: string
  object: { url: string; title: string; [more: string]: unknown }
}

export interface SimComment {
  id: string
  body: string
  author: string
}

/** Issues CI-1 … CI-n with a summary and no build fields set. */
export function defaultIssues(count = 5, project = 'CI'): SimIssue[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${project}-${i + 1}`,
    id: String(10000 + i),
    project,
    issueType: 'Story',
    fields: { summary: `Story ${i + 1}`, labels: [] }
  }))
}
