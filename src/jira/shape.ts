/**
 * Shapes of Jira's answers, checked before anything reads them. A check names the first place
 * an answer departs from its shape ("editmeta.fields.customfield_10001.allowedValues[0].value is
 * a number, expected a string"), so a wrong answer is reported as Jira's, never as a JavaScript
 * error deep in the code that trusted it.
 */

/** A shape: what it expects, and where a value departs from it. */
export interface Schema<T> {
  /** As messages say it: "a string", "a list of fields". */
  readonly expected: string
  /** The first departure, as "path is what, expected what", or undefined when the value fits. */
  mismatch(value: unknown, path: string): string | undefined
  /**
   * The first departure as data, its path steps innermost last; undefined when the value fits.
   * Nothing is allocated for a value that fits: an answer of 150,000 issues is checked in place.
   */
  departure(value: unknown): Departure | undefined
  /** Carries T for inference only; never set. */
  readonly type?: T
}

/** Where a value departs from a shape: the steps to it, what it is, and what was expected. */
export interface Departure {
  steps: string[]
  value: unknown
  expected: string
}

/** The type a schema checks for. */
export type Infer<S> = S extends Schema<infer T> ? T : never

/** What a value is, as a message says it: "a number", "null", "a list", "an object". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'missing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? `a ${typeof value}` : 'something else'
}

/** A schema from its departure check; the message is built only when something departs. */
function schemaOf<T>(expected: string, departure: (value: unknown) => Departure | undefined): Schema<T> {
  return {
    expected,
    departure,
    mismatch: (value, path) => {
      const found = departure(value)
      if (!found) return undefined
      const where = path + found.steps.join('')
      return `${where === '' ? 'the answer' : where.replace(/^\./, '')} is ${kindOf(found.value)}, expected ${found.expected}`
    }
  }
}

function leaf<T>(expected: string, test: (value: unknown) => boolean): Schema<T> {
  return schemaOf(expected, value => (test(value) ? undefined : { steps: [], value, expected }))
}

export const string = leaf<string>('a string', value => typeof value === 'string')
export const number = leaf<number>('a number', value => typeof value === 'number' && Number.isFinite(value))
export const boolean = leaf<boolean>('a boolean', value => typeof value === 'boolean')
/** Anything at all: a value the code only compares or passes on. */
export const anything = leaf<unknown>('anything', () => true)

/** Absent or of the shape. Jira leaves out what does not apply; null is not absent. */
export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return schemaOf(schema.expected, value => (value === undefined ? undefined : schema.departure(value)))
}

/** A list whose every item has the shape. */
export function list<T>(item: Schema<T>, expected = `a list of ${item.expected.replace(/^an? /, '')}s`): Schema<T[]> {
  return schemaOf(expected, value => {
    if (!Array.isArray(value)) return { steps: [], value, expected }
    for (let i = 0; i < value.length; i++) {
      const found = item.departure(value[i])
      if (found) return { ...found, steps: [`[${i}]`, ...found.steps] }
    }
    return undefined
  })
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** An object with these properties (others are allowed and not checked). */
export function object<P extends Record<string, Schema<unknown>>>(properties: P, expected = 'an object'): Schema<{ [K in keyof P]: Infer<P[K]> }> {
  const entries = Object.entries(properties)
  return schemaOf(expected, value => {
    if (!isRecord(value)) return { steps: [], value, expected }
    for (const [name, schema] of entries) {
      const found = schema.departure(Object.hasOwn(value, name) ? value[name] : undefined)
      if (found) return { ...found, steps: [step(name), ...found.steps] }
    }
    return undefined
  })
}

/** An object used as a map: every property's value has the shape. */
export function record<T>(item: Schema<T>, expected = 'an object'): Schema<Record<string, T>> {
  return schemaOf(expected, value => {
    if (!isRecord(value)) return { steps: [], value, expected }
    for (const name in value) {
      if (!Object.hasOwn(value, name)) continue
      const found = item.departure(value[name])
      if (found) return { ...found, steps: [step(name), ...found.steps] }
    }
    return undefined
  })
}

/**
 * A path step as a person reads it: `.customfield_10001`, or `["a b"]` for a name that is not a
 * plain identifier. Names come from Jira's answer: the whole path passes the boundary (redacted,
 * then cut) before it is shown, so nothing is cut here first.
 */
function step(name: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
}

/**
 * The check the Jira client applies to an answer: a type guard, the shape's name, and where an
 * answer departs from it. `is` alone (without `mismatch`) still works, but says less.
 */
export interface Shape<T> {
  name: string
  is: (value: unknown) => value is T
  mismatch?: (value: unknown) => string | undefined
}

/** The Shape for the client from a schema, named for messages ("a list of fields"). */
export function shape<T>(name: string, schema: Schema<unknown>): Shape<T> {
  return {
    name,
    is: (value): value is T => schema.departure(value) === undefined,
    mismatch: value => schema.mismatch(value, '')
  }
}
