import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatValue, type FieldMeta } from '../src/jira/fields.js'

const custom = (kind: string, type: string, extra: Partial<FieldMeta> = {}): FieldMeta => ({
  name: 'F',
  schema: { type, custom: `com.atlassian.jira.plugin.system.customfieldtypes:${kind}` },
  ...extra
})
const options = (...values: string[]) => values.map((value, i) => ({ id: String(100 + i), value }))
const now = () => new Date('2026-11-23T10:11:12.345Z')

describe("formatting a value by the field's editmeta schema", () => {
  it('sends text, textarea and url as strings', () => {
    for (const kind of ['textfield', 'textarea', 'url']) assert.equal(formatValue('f', custom(kind, 'string'), 'Build Passed'), 'Build Passed')
  })
  it('wraps a select or radio option, in the spelling Jira knows', () => {
    const meta = custom('select', 'option', { allowedValues: options('Build Passed', 'Build Failed') })
    assert.deepEqual(formatValue('f', meta, 'Build Passed'), { value: 'Build Passed' })
    assert.deepEqual(formatValue('f', meta, 'build passed'), { value: 'Build Passed' })
    assert.deepEqual(formatValue('f', meta, '101'), { id: '101' })
    assert.deepEqual(formatValue('f', custom('radiobuttons', 'option', { allowedValues: options('Yes') }), 'Yes'), { value: 'Yes' })
  })
  it('lists the allowed options when the value is not one', () => {
    const meta = custom('select', 'option', { allowedValues: options('Build Passed', 'Build Failed') })
    assert.throws(
      () => formatValue('customfield_1', meta, 'Green'),
      /"Green" is not an option of customfield_1 \(F\)\. Use one of: "Build Passed", "Build Failed"\./
    )
  })
  it('splits multi-select and checkbox values on commas', () => {
    const meta = custom('multiselect', 'array', { allowedValues: options('Linux', 'macOS') })
    assert.deepEqual(formatValue('f', meta, 'Linux, macOS'), [{ value: 'Linux' }, { value: 'macOS' }])
    assert.throws(() => formatValue('f', meta, 'Linux, BeOS'), /"BeOS" is not an option/)
  })
  it('splits labels on commas and spaces', () => {
    assert.deepEqual(formatValue('f', custom('labels', 'array'), 'ci, green build'), ['ci', 'green', 'build'])
    assert.deepEqual(formatValue('labels', { schema: { type: 'array', items: 'string', system: 'labels' } }, 'a b'), ['a', 'b'])
  })
  it('sends numbers as numbers and refuses what is not one', () => {
    assert.equal(formatValue('f', custom('float', 'number'), ' 42.07 '), 42.07)
    assert.throws(() => formatValue('f', custom('float', 'number'), 'forty'), /takes a number, not "forty"/)
  })
  it('writes dates and datetimes as Jira does', () => {
    assert.equal(formatValue('f', custom('datepicker', 'date'), '2015-11-18'), '2015-11-18')
    assert.equal(formatValue('f', custom('datepicker', 'date'), 'today', now), '2026-11-23')
    assert.equal(formatValue('f', custom('datetime', 'datetime'), '2015-11-18T14:39:00+11:00'), '2015-11-18T03:39:00.000+0000')
    assert.equal(formatValue('f', custom('datetime', 'datetime'), 'now', now), '2026-11-23T10:11:12.345+0000')
    assert.throws(() => formatValue('f', custom('datepicker', 'date'), '18/11/2015'), /YYYY-MM-DD/)
  })
  it('sends a Server user picker by name', () => {
    assert.deepEqual(formatValue('f', custom('userpicker', 'user'), 'jdoe'), { name: 'jdoe' })
  })
  it('refuses a type it cannot format and points at the fields input', () => {
    assert.throws(
      () => formatValue('f', { schema: { type: 'any', custom: 'com.example:cascadingselect' } }, 'x'),
      /Set it with input 'fields' \(--fields\) as raw JSON/
    )
  })
})
