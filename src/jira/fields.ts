import { JiraError } from './errors.js'
import { Redactor } from './redact.js'
import { anything, boolean, list, number as aNumber, object, optional, record, shape, string, type Shape } from './shape.js'
import { shownList } from './words.js'

/** A field as `GET /rest/api/2/issue/{key}/editmeta` describes it. */
export interface FieldMeta {
  name?: string
  required?: boolean
  schema?: { type?: string; items?: string; custom?: string; system?: string; customId?: number }
  allowedValues?: Array<{ id?: string; value?: string; name?: string }>
}

/** The answer of editmeta: the fields on the issue's edit screen. */
export interface EditMeta {
  fields: Record<string, FieldMeta>
}

const FIELD_SCHEMA = optional(
  object({ type: optional(string), items: optional(string), custom: optional(string), system: optional(string), customId: optional(aNumber) })
)

/** What formatting reads of a field's edit metadata; Jira sends more, which is not looked at. */
const FIELD_META = object({
  name: optional(string),
  required: optional(boolean),
  schema: FIELD_SCHEMA,
  allowedValues: optional(list(object({ id: optional(string), value: optional(string), name: optional(string) }, 'an option'), 'a list of options'))
})

/** An issue with its current fields and its edit metadata (`?expand=editmeta`). */
export interface IssueWithEditMeta {
  fields?: Record<string, unknown>
  editmeta?: EditMeta
}

/**
 * The shape of `GET /rest/api/2/issue/{key}?fields={fieldIds}&expand=editmeta`, checked as far as
 * the update reads it: the metadata of the fields it changes, not every field on the screen.
 */
export function issueShape(fieldIds: string | string[]): Shape<IssueWithEditMeta> {
  const ids = typeof fieldIds === 'string' ? [fieldIds] : fieldIds
  return shape(
    'an issue with its edit metadata',
    object({
      fields: optional(record(anything)),
      editmeta: optional(object({ fields: object(Object.fromEntries(ids.map(id => [id, optional(FIELD_META)]))) }))
    })
  )
}

/**
 * Turns a value as a person writes it into what Jira expects for the field's type (its
 * editmeta schema). Options are checked against allowedValues. Throws an `invalid`
 * JiraError that says what would be accepted.
 */
export function formatValue(fieldId: string, meta: FieldMeta, value: string, now: () => Date = () => new Date(), redactor = new Redactor()): unknown {
  const schema = meta.schema ?? {}
  const kind = (schema.custom ?? '').split(':').pop() ?? ''
  // The field's id and name, and its options, are Jira's text: quoted through the boundary.
  const quote = (text: string): string => redactor.excerpt(text, 100)
  const label = quote(meta.name ? `${fieldId} (${meta.name})` : fieldId)
  const fail = (reason: string, remedy: string): never => {
    throw new JiraError('invalid', reason, remedy)
  }

  switch (kind) {
    case 'textfield':
    case 'textarea':
    case 'url':
      return value
    case 'select':
    case 'radiobuttons':
      return option(label, meta, value.trim(), fail, quote)
    case 'multiselect':
    case 'multicheckboxes':
      return splitList(value).map(item => option(label, meta, item, fail, quote))
    case 'labels':
      return labels(value)
    case 'float':
      return number(label, value, fail)
    case 'datepicker':
      return date(label, value, now, fail)
    case 'datetime':
      return datetime(label, value, now, fail)
    case 'userpicker':
      return { name: value.trim() }
    case 'multiuserpicker':
      return splitList(value).map(name => ({ name }))
    case 'version':
    case 'multiversion':
      return schema.type === 'array' ? splitList(value).map(name => ({ name })) : { name: value.trim() }
  }

  // System fields and custom types known by their schema type alone.
  switch (schema.type) {
    case 'string':
      return value
    case 'number':
      return number(label, value, fail)
    case 'date':
      return date(label, value, now, fail)
    case 'datetime':
      return datetime(label, value, now, fail)
    case 'option':
      return option(label, meta, value.trim(), fail, quote)
    case 'user':
    case 'priority':
    case 'resolution':
      return meta.allowedValues ? named(label, meta, value.trim(), fail, quote) : { name: value.trim() }
    case 'array':
      switch (schema.items) {
        case 'string':
          return labels(value)
        case 'option':
          return splitList(value).map(item => option(label, meta, item, fail, quote))
        case 'version':
        case 'component':
        case 'user':
          return splitList(value).map(name => (meta.allowedValues ? named(label, meta, name, fail, quote) : { name }))
      }
  }
  return fail(
    `Field ${label} has a type this action cannot format from a plain value (${quote(schema.custom ?? schema.type ?? 'unknown')}).`,
    "Set it with input 'fields' (--fields) as raw JSON instead."
  )
}

type Fail = (reason: string, remedy: string) => never
type Quote = (text: string) => string

function option(label: string, meta: FieldMeta, value: string, fail: Fail, quote: Quote): { value: string } | { id: string } {
  const allowed = meta.allowedValues
  if (!allowed) return { value }
  const exact = allowed.find(candidate => candidate.value === value)
  if (exact?.value !== undefined) return { value: exact.value }
  const byId = allowed.find(candidate => candidate.id === value)
  if (byId?.id !== undefined) return { id: byId.id }
  // Jira matches option values exactly; accept a difference of case and send Jira's spelling.
  const folded = allowed.filter(candidate => candidate.value?.toLowerCase() === value.toLowerCase())
  if (folded.length === 1 && folded[0].value !== undefined) return { value: folded[0].value }
  return fail(
    `"${value}" is not an option of ${label}.`,
    `Use one of: ${shownList(allowed.map(candidate => `"${quote(String(candidate.value ?? candidate.name ?? candidate.id))}"`))}.`
  )
}

function named(label: string, meta: FieldMeta, value: string, fail: Fail, quote: Quote): { name: string } {
  const allowed = meta.allowedValues ?? []
  const match = allowed.find(candidate => candidate.name?.toLowerCase() === value.toLowerCase())
  if (match?.name !== undefined) return { name: match.name }
  return fail(`"${value}" is not allowed in ${label}.`, `Use one of: ${shownList(allowed.map(c => `"${quote(String(c.name))}"`))}.`)
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map(item => item.trim())
    .filter(item => item !== '')
}

function labels(value: string): string[] {
  // Jira labels cannot contain spaces, so spaces separate them as commas do.
  return value.split(/[\s,]+/).filter(item => item !== '')
}

function number(label: string, value: string, fail: Fail): number {
  const parsed = Number(value.trim())
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    return fail(`Field ${label} takes a number, not "${value}".`, 'Pass a number such as 42 or 42.07.')
  }
  return parsed
}

function date(label: string, value: string, now: () => Date, fail: Fail): string {
  const trimmed = value.trim()
  if (trimmed.toLowerCase() === 'today') return now().toISOString().slice(0, 10)
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return trimmed
  const parsed = new Date(trimmed)
  if (!Number.isNaN(parsed.getTime()) && /^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return trimmed.slice(0, 10)
  return fail(`Field ${label} takes a date, not "${value}".`, 'Write it as YYYY-MM-DD (2015-11-18) or "today".')
}

function datetime(label: string, value: string, now: () => Date, fail: Fail): string {
  const trimmed = value.trim()
  const parsed = trimmed.toLowerCase() === 'now' ? now() : new Date(trimmed)
  if (Number.isNaN(parsed.getTime()) || (trimmed.toLowerCase() !== 'now' && !/^\d{4}-\d{2}-\d{2}/.test(trimmed))) {
    return fail(`Field ${label} takes a date and time, not "${value}".`, 'Write it in ISO 8601 (2015-11-18T14:39:00+11:00) or "now".')
  }
  // Jira writes datetimes as yyyy-MM-dd'T'HH:mm:ss.SSSZ with a +hhmm offset; UTC is exact.
  return parsed.toISOString().replace('Z', '+0000')
}

/** A field as `GET /rest/api/2/field` lists it. */
export interface FieldDefinition {
  id: string
  name: string
  custom?: boolean
  schema?: FieldMeta['schema']
}

/** The shape of `GET /rest/api/2/field`. */
export const FIELD_LIST: Shape<FieldDefinition[]> = shape(
  'a list of fields',
  list(object({ id: string, name: string, custom: optional(boolean), schema: FIELD_SCHEMA }, 'a field'), 'a list of fields')
)

/** Whether `field` is an id that needs no lookup: a custom field id. */
export function isFieldId(field: string): boolean {
  return /^customfield_\d+$/.test(field)
}

/**
 * Resolves a field given by id or by name (case-insensitive) to its id. Throws an
 * `invalid` JiraError naming close matches when none matches, or every match when several do.
 */
export function resolveField(field: string, definitions: FieldDefinition[], redactor = new Redactor()): string {
  const byId = definitions.find(definition => definition.id === field)
  if (byId) return byId.id
  const wanted = field.trim().toLowerCase()
  const matches = definitions.filter(definition => definition.name.toLowerCase() === wanted)
  if (matches.length === 1) return matches[0].id
  // Names and ids are Jira's text: quoted through the boundary, and never more than 20 of them.
  const describe = (list: FieldDefinition[]): string => shownList(list.map(d => `"${redactor.excerpt(d.name, 100)}" (${redactor.excerpt(d.id, 60)})`))
  if (matches.length > 1) {
    throw new JiraError('invalid', `${matches.length} fields are named "${field}": ${describe(matches)}.`, 'Name the field by its id instead.')
  }
  const close = definitions
    .map(definition => ({ definition, distance: closeness(wanted, definition.name.toLowerCase()) }))
    .filter(candidate => candidate.distance <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 5)
    .map(candidate => candidate.definition)
  throw new JiraError(
    'invalid',
    `No field is named "${field}".`,
    close.length > 0 ? `Close matches: ${describe(close)}.` : 'Check the name in Jira (Administration → Issues → Custom fields), or use the field id.'
  )
}

/** Edit distance, with a containing name counted as close. */
function closeness(a: string, b: string): number {
  if (a.length > 2 && (b.includes(a) || a.includes(b))) return 1
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]
}

/**
 * Whether a field already holds the value about to be sent, comparing as Jira does: option
 * values or ids, lists as sets, datetimes as instants.
 */
export function holdsValue(current: unknown, next: unknown): boolean {
  if (Array.isArray(next)) {
    if (!Array.isArray(current) || current.length !== next.length) return false
    return next.every(item => current.some(existing => holdsValue(existing, item)))
  }
  if (next !== null && typeof next === 'object') {
    if (current === null || typeof current !== 'object') return false
    const entries = Object.entries(next as Record<string, unknown>)
    return entries.length > 0 && entries.every(([key, value]) => (current as Record<string, unknown>)[key] === value)
  }
  if (typeof next === 'string' && typeof current === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(next)) {
    return Date.parse(next.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) === Date.parse(current.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  }
  return current === next
}
