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
  /** Carries T for inference only; never set. */
  readonly type?: T
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

function leaf<T>(expected: string, test: (value: unknown) => boolean): Schema<T> {
  return { expected, mismatch: (value, path) => (test(value) ? undefined : departure(path, value, expected)) }
}

function departure(path: string, value: unknown, expected: string): string {
  return `${path === '' ? 'the answer' : path} is ${kindOf(value)}, expected ${expected}`
}

export const string = leaf<string>('a string', value => typeof value === 'string')
export const number = leaf<number>('a number', value => typeof value === 'number' && Number.isFinite(value))
export const boolean = leaf<boolean>('a boolean', value => typeof value === 'boolean')
/** Anything at all: a value the code only compares or passes on. */
export const anything = leaf<unknown>('anything', () => true)

/** Absent or of the shape. Jira leaves out what does not apply; null is not absent. */
export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return { expected: schema.expected, mismatch: (value, path) => (value === undefined ? undefined : schema.mismatch(value, path)) }
}

/** A list whose every item has the shape. */
export function list<T>(item: Schema<T>, expected = `a list of ${item.expected.replace(/^an? /, '')}s`): Schema<T[]> {
  return {
    expected,
    mismatch: (value, path) => {
      if (!Array.isArray(value)) return departure(path, value, expected)
      for (let i = 0; i < value.length; i++) {
        const found = item.mismatch(value[i], `${path}[${i}]`)
        if (found) return found
      }
      return undefined
    }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** An object with these properties (others are allowed and not checked). */
export function object<P extends Record<string, Schema<unknown>>>(properties: P, expected = 'an object'): Schema<{ [K in keyof P]: Infer<P[K]> }> {
  return {
    expected,
    mismatch: (value, path) => {
      if (!isRecord(value)) return departure(path, value, expected)
      for (const [name, schema] of Object.entries(properties)) {
        const found = schema.mismatch(Object.hasOwn(value, name) ? value[name] : undefined, join(path, name))
        if (found) return found
      }
      return undefined
    }
  }
}

/** An object used as a map: every property's value has the shape. */
export function record<T>(item: Schema<T>, expected = 'an object'): Schema<Record<string, T>> {
  return {
    expected,
    mismatch: (value, path) => {
      if (!isRecord(value)) return departure(path, value, expected)
      for (const [name, entry] of Object.entries(value)) {
        const found = item.mismatch(entry, join(path, name))
        if (found) return found
      }
      return undefined
    }
  }
}

/**
 * A path step as a person reads it: `fields.customfield_10001`, or `fields["a b"]` for a name
 * that is not a plain identifier. Names come from Jira's answer, so a long one is cut.
 */
function join(path: string, name: string): string {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name
  if (/^[A-Za-z_$][\w$-]*$/.test(name)) return path === '' ? shown : `${path}.${shown}`
  return `${path}[${JSON.stringify(shown)}]`
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
    is: (value): value is T => schema.mismatch(value, '') === undefined,
    mismatch: value => schema.mismatch(value, '')
  }
}
