import type { KeyObject } from 'node:crypto'
import { parseIssueKeyList } from './issues/keys.js'
import { loadPrivateKey, PrivateKeyError } from './oauth/keys.js'

/** The inputs, by their action.yml names; the CLI maps its flags and environment onto them. */
export type InputName =
  | 'jira-url'
  | 'consumer-key'
  | 'private-key'
  | 'private-key-passphrase'
  | 'access-token'
  | 'issue'
  | 'field'
  | 'value'
  | 'fields'
  | 'fail-on-error'
  | 'dry-run'

export type RawInputs = Partial<Record<InputName, string>>

/** How an edge names an input in messages: "input 'private-key'" or "JIRA_PRIVATE_KEY". */
export type InputNamer = (input: InputName) => string

export const actionInputName: InputNamer = input => `input '${input}'`

export type AuthConfig = { mode: 'oauth'; consumerKey: string; privateKey: KeyObject; accessToken: string }

/** Everything one update run needs, validated. */
export interface UpdateOptions {
  /** Base URL without a trailing slash, context path included. */
  jiraUrl: string
  auth: AuthConfig
  issueKeys: string[]
  field?: string
  value?: string
  fields?: Record<string, unknown>
  failOnError: boolean
  dryRun: boolean
}

export interface InputProblem {
  input: string
  message: string
}

/** Bad input: every problem found, each naming its input and the fix. */
export class InputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(problem => problem.message).join('\n'))
    this.name = 'InputError'
  }
}

const FORK_HINT =
  'Set the secret in the repository settings (Secrets and variables → Actions). On a pull request from a fork GitHub passes no secrets, which also leaves it empty.'

/**
 * Validates raw inputs into UpdateOptions. Throws InputError listing every problem, so a
 * run with bad input sends no request at all.
 */
export function parseUpdateOptions(raw: RawInputs, nameOf: InputNamer = actionInputName): UpdateOptions {
  const problems: InputProblem[] = []
  const problem = (input: InputName, message: string): void => {
    problems.push({ input, message: `${nameOf(input)}: ${message}` })
  }
  const text = (input: InputName): string => (raw[input] ?? '').trim()

  const jiraUrl = parseJiraUrl(text('jira-url'), message => problem('jira-url', message))
  const auth = parseOAuth(raw, text, problem)

  const { keys: issueKeys, malformed } = parseIssueKeyList(text('issue'))
  if (malformed.length > 0) {
    problem('issue', `${malformed.map(item => `"${item}"`).join(', ')} ${malformed.length === 1 ? 'is' : 'are'} not shaped like an issue key. Write keys as PROJECT-123, separated by commas, spaces or newlines.`)
  } else if (issueKeys.length === 0) {
    problem('issue', 'no issue key given. Pass one or more keys such as CI-42.')
  }

  const field = text('field') || undefined
  const value = raw.value === undefined || raw.value === '' ? undefined : raw.value
  const fields = parseFieldsJson(text('fields'), message => problem('fields', message))
  if (field && value === undefined) problem('value', `is empty, but ${nameOf('field')} names ${field}. Pass the value to set.`)
  if (value !== undefined && !field) problem('field', `is empty, but ${nameOf('value')} is set. Name the field, e.g. customfield_10314.`)
  if (!field && value === undefined && !fields && text('fields') === '') {
    problem('field', `nothing to set. Pass ${nameOf('field')} and ${nameOf('value')}, or ${nameOf('fields')} as a JSON object.`)
  }
  if (field && fields && field in fields) {
    problem('fields', `sets ${field} too, which ${nameOf('field')} already sets. Set it in one place.`)
  }

  const failOnError = parseBoolean(raw['fail-on-error'], true, message => problem('fail-on-error', message))
  const dryRun = parseBoolean(raw['dry-run'], false, message => problem('dry-run', message))

  if (problems.length > 0 || !auth) throw new InputError(problems)
  return { jiraUrl, auth, issueKeys, field, value, fields, failOnError, dryRun }
}

function parseOAuth(
  raw: RawInputs,
  text: (input: InputName) => string,
  problem: (input: InputName, message: string) => void
): AuthConfig | undefined {
  const consumerKey = text('consumer-key')
  const accessToken = text('access-token')
  const privateKeyText = raw['private-key'] ?? ''
  if (consumerKey === '') problem('consumer-key', `is empty. Use the consumer key of Jira's application link. ${FORK_HINT}`)
  if (accessToken === '') problem('access-token', `is empty. Use the access token from the OAuth dance. ${FORK_HINT}`)
  if (privateKeyText.trim() === '') {
    problem('private-key', `is empty. Use the RSA private key whose public key is on the application link. ${FORK_HINT}`)
    return undefined
  }
  try {
    const privateKey = loadPrivateKey(privateKeyText, raw['private-key-passphrase'] || undefined)
    return consumerKey && accessToken ? { mode: 'oauth', consumerKey, privateKey, accessToken } : undefined
  } catch (thrown) {
    if (!(thrown instanceof PrivateKeyError)) throw thrown
    const input = /passphrase/.test(thrown.reason) && raw['private-key-passphrase'] ? 'private-key-passphrase' : 'private-key'
    problem(input, `${thrown.reason} ${thrown.remedy}`)
    return undefined
  }
}

/**
 * Checks jira-url is the base URL Jira knows itself by: http(s), no query, and not a REST or
 * page URL pasted from the browser. Returns it without a trailing slash.
 */
export function parseJiraUrl(value: string, problem: (message: string) => void): string {
  if (value === '') {
    problem("is empty. Use Jira's base URL with its context path, e.g. https://jira.example.com/jira.")
    return ''
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problem(`"${value}" is not a URL. Write it with its scheme, e.g. https://${value.replace(/^\/+/, '')}.`)
    return ''
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problem(`"${value}" must start with https:// or http://.`)
    return ''
  }
  if (url.username || url.password) {
    problem('must not contain a user name or password. Pass credentials through their own inputs.')
    return ''
  }
  if (url.search || url.hash) {
    problem(`"${value}" has a query or fragment. Use the base URL alone: ${url.origin}${url.pathname.replace(/\/+$/, '')}.`)
    return ''
  }
  const path = url.pathname.replace(/\/+$/, '')
  const page = /\/(rest|plugins|browse|secure|projects|login\.jsp)(\/|$)/.exec(path)
  if (page) {
    problem(`"${value}" points inside Jira (${page[0].replace(/\/$/, '')}…). Use the base URL: ${url.origin}${path.slice(0, page.index)}.`)
    return ''
  }
  return `${url.origin}${path}`
}

function parseFieldsJson(value: string, problem: (message: string) => void): Record<string, unknown> | undefined {
  if (value === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (thrown) {
    const detail = thrown instanceof Error ? thrown.message : String(thrown)
    problem(`is not valid JSON (${detail}). Pass an object such as {"customfield_10314": {"value": "Build Passed"}}.`)
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problem('must be a JSON object of field ids to values, such as {"labels": ["ci"]}.')
    return undefined
  }
  return parsed as Record<string, unknown>
}

/** Parses a YAML 1.2 core boolean as the Actions toolkit does; empty means the default. */
export function parseBoolean(value: string | undefined, fallback: boolean, problem: (message: string) => void): boolean {
  const trimmed = (value ?? '').trim()
  if (trimmed === '') return fallback
  if (['true', 'True', 'TRUE'].includes(trimmed)) return true
  if (['false', 'False', 'FALSE'].includes(trimmed)) return false
  problem(`"${trimmed}" is not a boolean. Use 'true' or 'false'.`)
  return fallback
}
