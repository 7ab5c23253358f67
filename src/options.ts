import { X509Certificate, type KeyObject } from 'node:crypto'
import { describeSources, findIssueKeys, ISSUE_SOURCES, type IssueSource, type SourceText } from './issues/discover.js'
import { parseIssueKeyList } from './issues/keys.js'
import { fillTemplate, mapStatus, parseValueMap, type TemplateValues } from './issues/value.js'
import { loadPrivateKey, PrivateKeyError } from './oauth/keys.js'

/** The inputs, by their action.yml names; the CLI maps its flags and environment onto them. */
export const INPUT_NAMES = [
  'jira-url',
  'consumer-key',
  'private-key',
  'private-key-passphrase',
  'access-token',
  'personal-access-token',
  'user',
  'api-token',
  'issue',
  'issue-source',
  'projects',
  'jql',
  'field',
  'value',
  'status',
  'value-map',
  'fields',
  'notify-users',
  'concurrency',
  'fail-on-error',
  'dry-run',
  'max-retries',
  'timeout',
  'ca-certificate'
] as const

export type InputName = (typeof INPUT_NAMES)[number]

/** Inputs that hold secrets: masked at once by the action, taken only from the environment by the CLI. */
export const SECRET_INPUTS: ReadonlySet<InputName> = new Set<InputName>([
  'private-key',
  'private-key-passphrase',
  'access-token',
  'personal-access-token',
  'api-token'
])

export type RawInputs = Partial<Record<InputName, string>>

/** How an edge names an input in messages: "input 'private-key'" or "JIRA_PRIVATE_KEY". */
export type InputNamer = (input: InputName) => string

export const actionInputName: InputNamer = input => `input '${input}'`

export type AuthConfig =
  | { mode: 'oauth'; consumerKey: string; privateKey: KeyObject; accessToken: string }
  | { mode: 'pat'; personalAccessToken: string }
  | { mode: 'basic'; user: string; apiToken: string }

/** The inputs of each way to authenticate, for messages that list them. */
export const AUTH_MODE_INPUTS: Record<AuthConfig['mode'], InputName[]> = {
  oauth: ['consumer-key', 'private-key', 'access-token'],
  pat: ['personal-access-token'],
  basic: ['user', 'api-token']
}

/** How to reach Jira over networks users really have. */
export interface NetworkOptions {
  /** Retries of a transient failure (429, 502, 503, 504, connection errors). */
  maxRetries: number
  /** The whole run's time limit, retries and waits included. */
  timeoutSeconds: number
  /** Extra CA certificates (PEM) trusted besides the system's, for an internal CA. */
  caCertificates?: string[]
}

/** Where Jira is and how to authenticate: what every command that talks to Jira needs. */
export interface ConnectionOptions extends NetworkOptions {
  /** Base URL without a trailing slash, context path included. */
  jiraUrl: string
  auth: AuthConfig
  /** Things worth saying that do not stop the run, such as basic auth over plain http. */
  warnings: string[]
}

/** What the OAuth dance needs: the consumer, not yet a token. */
export interface ConsumerOptions extends NetworkOptions {
  jiraUrl: string
  consumerKey: string
  privateKey: KeyObject
  warnings: string[]
}

/** What the build's context offers: texts that may name issues, and values for templates. */
export interface RunContext {
  sourceTexts: SourceText[]
  templateValues: TemplateValues
}

/** Everything one update run needs, validated. */
export interface UpdateOptions extends ConnectionOptions {
  /** Keys given or found in the build's context; empty with jql, or when none was found. */
  issueKeys: string[]
  jql?: string
  /** Set when no key was given or found: where the run looked. */
  noIssuesReason?: string
  /** A field id, or a name to resolve through /rest/api/2/field. */
  field?: string
  /** The value to set, mapped from the status and templates filled. */
  value?: string
  fields?: Record<string, unknown>
  notifyUsers: boolean
  concurrency: number
  failOnError: boolean
  dryRun: boolean
}

export interface InputProblem {
  input: string
  message: string
}

/**
 * No credential at all is configured: what GitHub does for a pull request from a fork or from
 * Dependabot, which get no secrets. Nothing is sent; `fail-on-error` decides the step.
 */
export class NoCredentialsError extends Error {
  constructor(
    message: string,
    readonly failOnError: boolean,
    readonly jiraUrl: string
  ) {
    super(message)
    this.name = 'NoCredentialsError'
  }
}

/** Bad input: every problem found, each naming its input and the fix. */
export class InputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(problem => problem.message).join('\n'))
    this.name = 'InputError'
  }
}

const FORK_HINT =
  'If it is stored as a secret, check the job can see it: GitHub passes no secrets to workflows run for pull requests from forks, and Jenkins binds them only inside withCredentials.'

type Problem = (input: InputName, message: string) => void

/** Runs a parser that reports problems, and throws them all at once as an InputError. */
function collect<T>(nameOf: InputNamer, parse: (problem: Problem) => T): T {
  const problems: InputProblem[] = []
  const result = parse((input, message) => problems.push({ input, message: `${nameOf(input)}: ${message}` }))
  if (problems.length > 0) throw new InputError(problems)
  return result
}

const text = (raw: RawInputs, input: InputName): string => (raw[input] ?? '').trim()

/**
 * Validates raw inputs into UpdateOptions. Throws InputError listing every problem, so a
 * run with bad input sends no request at all.
 */
export function parseUpdateOptions(
  raw: RawInputs,
  nameOf: InputNamer = actionInputName,
  context: RunContext = { sourceTexts: [], templateValues: {} }
): UpdateOptions {
  let noCredentials: string | undefined
  const options = collect(nameOf, problem => {
    const connection = parseConnection(raw, nameOf, problem, message => (noCredentials = message))
    const selection = parseSelection(raw, nameOf, problem, context.sourceTexts)
    const value = parseValue(raw, nameOf, problem, context.templateValues)

    const field = text(raw, 'field') || undefined
    const fields = parseFieldsJson(text(raw, 'fields'), message => problem('fields', message))
    if (field && value === undefined && text(raw, 'value-map') === '') problem('value', `is empty, but ${nameOf('field')} names ${field}. Pass the value to set, or ${nameOf('status')} and ${nameOf('value-map')}.`)
    if (value !== undefined && !field) problem('field', `is empty, but a value is set. Name the field by id (customfield_10314) or by name (Build Result).`)
    if (!field && value === undefined && !fields && text(raw, 'fields') === '') {
      problem('field', `nothing to set. Pass ${nameOf('field')} and ${nameOf('value')}, or ${nameOf('fields')} as a JSON object.`)
    }
    if (field && fields && field in fields) {
      problem('fields', `sets ${field} too, which ${nameOf('field')} already sets. Set it in one place.`)
    }

    const concurrencyText = text(raw, 'concurrency')
    const concurrency = concurrencyText === '' ? 4 : Number(concurrencyText)
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
      problem('concurrency', `"${concurrencyText}" is not a whole number from 1 to 16.`)
    }
    const notifyUsers = parseBoolean(raw['notify-users'], true, message => problem('notify-users', message))
    const failOnError = parseBoolean(raw['fail-on-error'], true, message => problem('fail-on-error', message))
    const dryRun = parseBoolean(raw['dry-run'], false, message => problem('dry-run', message))
    return { ...connection, ...selection, field, value, fields, notifyUsers, concurrency, failOnError, dryRun }
  })
  // Only when everything else is right: a malformed input stays a hard error.
  if (noCredentials !== undefined) throw new NoCredentialsError(noCredentials, options.failOnError, options.jiraUrl)
  return options
}

/** Which issues: the keys given, a JQL query, or the keys the build's context names. */
function parseSelection(
  raw: RawInputs,
  nameOf: InputNamer,
  problem: Problem,
  sourceTexts: SourceText[]
): Pick<UpdateOptions, 'issueKeys' | 'jql' | 'noIssuesReason'> {
  const jql = text(raw, 'jql') || undefined
  const sources = (text(raw, 'issue-source') || ISSUE_SOURCES.join(',')).split(/[\s,]+/).filter(s => s !== '') as IssueSource[]
  const unknownSources = sources.filter(source => !ISSUE_SOURCES.includes(source))
  if (unknownSources.length > 0) problem('issue-source', `${unknownSources.map(s => `"${s}"`).join(', ')} unknown. Use any of ${ISSUE_SOURCES.join(', ')}, separated by commas.`)
  const projects = text(raw, 'projects').split(/[\s,]+/).filter(p => p !== '').map(p => p.toUpperCase())
  const badProjects = projects.filter(p => !/^[A-Z][A-Z0-9_]+$/.test(p))
  if (badProjects.length > 0) problem('projects', `${badProjects.map(p => `"${p}"`).join(', ')} ${badProjects.length === 1 ? 'is' : 'are'} not a project key. Write keys such as CI, separated by commas.`)

  const issueText = text(raw, 'issue')
  if (issueText !== '') {
    if (jql) problem('jql', `and ${nameOf('issue')} are both set. Select issues one way: by key or by JQL.`)
    const { keys, malformed } = parseIssueKeyList(issueText)
    if (malformed.length > 0) {
      const items = malformed.map(item => `"${item}"`).join(', ')
      problem('issue', `${items} ${malformed.length === 1 ? 'is' : 'are'} not shaped like an issue key. Write keys as PROJECT-123, separated by commas, spaces or newlines.`)
    }
    return { issueKeys: keys }
  }
  if (jql) return { issueKeys: [], jql }
  const issueKeys = findIssueKeys(sourceTexts, sources, projects)
  if (issueKeys.length > 0) return { issueKeys }
  return {
    issueKeys: [],
    noIssuesReason: `No issue key found in ${describeSources(sourceTexts, sources, projects)}. Name the issue (e.g. CI-42) in the pull request title, the branch or a commit message, or pass ${nameOf('issue')} or ${nameOf('jql')}.`
  }
}

/** The value: `value`, or `value-map` looked up by `status`; then templates filled. */
function parseValue(raw: RawInputs, nameOf: InputNamer, problem: Problem, templateValues: TemplateValues): string | undefined {
  const status = text(raw, 'status')
  const mapText = text(raw, 'value-map')
  let value = raw.value === undefined || raw.value === '' ? undefined : raw.value
  if (mapText !== '') {
    const { map, malformed } = parseValueMap(mapText)
    if (malformed.length > 0) problem('value-map', `${malformed.map(m => `"${m}"`).join(', ')}: write entries as status=value, e.g. success=Build Passed, failure=Build Failed.`)
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
    problem('value', `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`)
  }
  return filled.text
}

/** Validates jira-url and exactly one way to authenticate. Throws InputError. */
export function parseConnectionOptions(raw: RawInputs, nameOf: InputNamer = actionInputName): ConnectionOptions {
  return collect(nameOf, problem => parseConnection(raw, nameOf, problem))
}

/** Validates what the OAuth dance needs: jira-url, the consumer key and the private key. */
export function parseConsumerOptions(raw: RawInputs, nameOf: InputNamer = actionInputName): ConsumerOptions {
  return collect(nameOf, problem => {
    const jiraUrl = parseJiraUrl(text(raw, 'jira-url'), message => problem('jira-url', message))
    const consumerKey = text(raw, 'consumer-key')
    if (consumerKey === '') problem('consumer-key', "is empty. Use the consumer key of Jira's application link.")
    const warnings: string[] = []
    const privateKey = parsePrivateKey(raw, nameOf, problem, warnings)
    // collect() throws when the key did not load, so it is defined past this point.
    return { jiraUrl, consumerKey, privateKey: privateKey as KeyObject, warnings, ...parseNetwork(raw, problem) }
  })
}

function parseConnection(raw: RawInputs, nameOf: InputNamer, problem: Problem, none?: (message: string) => void): ConnectionOptions {
  const jiraUrl = parseJiraUrl(text(raw, 'jira-url'), message => problem('jira-url', message))
  const warnings: string[] = []
  const modes = Object.keys(AUTH_MODE_INPUTS) as Array<AuthConfig['mode']>
  const configured = modes.filter(mode => AUTH_MODE_INPUTS[mode].some(input => text(raw, input) !== ''))
  const listModes = (): string =>
    `OAuth 1.0a: ${AUTH_MODE_INPUTS.oauth.map(nameOf).join(', ')}; personal access token: ${nameOf('personal-access-token')}; basic with an API token: ${nameOf('user')} and ${nameOf('api-token')}`
  let auth: AuthConfig | undefined
  if (configured.length === 0) {
    const message = `no credentials given. Configure exactly one way to authenticate (${listModes()}). ${FORK_HINT}`
    if (none) none(`No credentials are configured (${listModes()}), so nothing was sent to Jira. ${FORK_HINT}`)
    else problem('access-token', message)
  } else if (configured.length > 1) {
    problem(
      AUTH_MODE_INPUTS[configured[1]][0],
      `credentials for ${configured.length} ways to authenticate are set (${configured.join(', ')}); configure exactly one (${listModes()}).`
    )
  } else if (configured[0] === 'oauth') {
    auth = parseOAuth(raw, nameOf, problem, warnings)
  } else if (configured[0] === 'pat') {
    auth = { mode: 'pat', personalAccessToken: text(raw, 'personal-access-token') }
    checkToken(raw, 'personal-access-token', problem)
  } else {
    const user = text(raw, 'user')
    const apiToken = text(raw, 'api-token')
    if (user === '') problem('user', `is empty, but ${nameOf('api-token')} is set. Basic auth needs both: the user (on Jira Cloud, the e-mail address) and the API token.`)
    if (apiToken === '') problem('api-token', `is empty, but ${nameOf('user')} is set. Basic auth needs the API token too. ${FORK_HINT}`)
    if (/[\u0000-\u001f\u007f:]/.test(user)) problem('user', 'holds a colon, a line break or a control character, which basic auth cannot carry. Write the user name or e-mail address alone.')
    checkToken(raw, 'api-token', problem)
    auth = { mode: 'basic', user, apiToken }
    if (jiraUrl.startsWith('http:')) {
      warnings.push('Basic auth over plain http sends the API token readable to anyone on the network; use an https jira-url.')
    }
  }
  // collect() throws when auth is missing, so it is defined past this point.
  return { jiraUrl, auth: auth as AuthConfig, warnings, ...parseNetwork(raw, problem) }
}

/**
 * Tokens travel in an HTTP header: a line break, a space or a character outside ASCII there is
 * a paste gone wrong, which Node would refuse only after the request was built.
 */
function checkToken(raw: RawInputs, input: InputName, problem: Problem): void {
  const value = text(raw, input)
  if (value !== '' && !/^[\x21-\x7e]+$/.test(value)) {
    problem(input, 'holds a line break, a space or a character outside ASCII, which no token has. Copy the token again, without quotes or line breaks.')
  }
}

function parseNetwork(raw: RawInputs, problem: Problem): NetworkOptions {
  const whole = (input: InputName, fallback: number, min: number, max: number): number => {
    const value = text(raw, input)
    const parsed = value === '' ? fallback : Number(value)
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problem(input, `"${value}" is not a whole number from ${min} to ${max}.`)
      return fallback
    }
    return parsed
  }
  const maxRetries = whole('max-retries', 3, 0, 10)
  const timeoutSeconds = whole('timeout', 60, 1, 3600)
  const caText = text(raw, 'ca-certificate')
  if (caText === '') return { maxRetries, timeoutSeconds }
  const pems = [...caText.replace(/\\n/g, '\n').matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(m => m[0])
  if (pems.length === 0) {
    problem('ca-certificate', 'holds no PEM certificate. Pass the CA certificate(s) as PEM, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.')
    return { maxRetries, timeoutSeconds }
  }
  for (const [index, pem] of pems.entries()) {
    try {
      new X509Certificate(pem)
    } catch {
      problem('ca-certificate', `certificate ${index + 1} of ${pems.length} does not parse: it looks truncated or altered. Copy the PEM file again.`)
    }
  }
  return { maxRetries, timeoutSeconds, caCertificates: pems }
}

function parseOAuth(raw: RawInputs, nameOf: InputNamer, problem: Problem, warnings: string[]): AuthConfig | undefined {
  const consumerKey = text(raw, 'consumer-key')
  const accessToken = text(raw, 'access-token')
  if (consumerKey === '') problem('consumer-key', `is empty. Use the consumer key of Jira's application link. ${FORK_HINT}`)
  if (/[^\x20-\x7e\u00a0-\u00ff]/.test(consumerKey)) problem('consumer-key', 'holds a line break or a character outside Latin-1. Copy the consumer key of the application link again.')
  if (accessToken === '') problem('access-token', `is empty. Use the access token from the OAuth dance. ${FORK_HINT}`)
  checkToken(raw, 'access-token', problem)
  const privateKey = parsePrivateKey(raw, nameOf, problem, warnings)
  return privateKey ? { mode: 'oauth', consumerKey, privateKey, accessToken } : undefined
}

/** Jira accepts whatever key its admin registered; below 1024 bits no key is worth signing with. */
const MIN_KEY_BITS = 1024
const ADVISED_KEY_BITS = 2048

function parsePrivateKey(raw: RawInputs, nameOf: InputNamer, problem: Problem, warnings: string[]): KeyObject | undefined {
  const privateKeyText = raw['private-key'] ?? ''
  if (privateKeyText.trim() === '') {
    problem('private-key', `is empty. Use the RSA private key whose public key is on the application link. ${FORK_HINT}`)
    return undefined
  }
  let key: KeyObject
  try {
    key = loadPrivateKey(privateKeyText, raw['private-key-passphrase'] || undefined, nameOf('private-key-passphrase'))
  } catch (thrown) {
    if (!(thrown instanceof PrivateKeyError)) throw thrown
    const input = thrown.blamesPassphrase && raw['private-key-passphrase'] ? 'private-key-passphrase' : 'private-key'
    problem(input, `${thrown.reason} ${thrown.remedy}`)
    return undefined
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < MIN_KEY_BITS) {
    problem('private-key', `is a ${bits}-bit RSA key, too weak to sign with. Make a new key of ${ADVISED_KEY_BITS} bits or more (the keygen command) and register its public key on the application link.`)
    return undefined
  }
  if (bits < ADVISED_KEY_BITS) {
    warnings.push(`The private key has ${bits} bits; ${ADVISED_KEY_BITS} or more is advised. Make a new key (the keygen command) and register its public key on the application link when you can.`)
  }
  return key
}

/**
 * Checks jira-url is the base URL Jira knows itself by: http(s), no query, and not a REST or
 * page URL pasted from the browser. Returns it without a trailing slash.
 */
export function parseJiraUrl(written: string, problem: (message: string) => void): string {
  if (written === '') {
    problem("is empty. Use Jira's base URL with its context path, e.g. https://jira.example.com/jira.")
    return ''
  }
  // A user name or password in the URL is never repeated, whatever else is wrong with it.
  const value = written.replace(/^([^/]*\/\/)[^/?#]*@/, '$1')
  if (value !== written) {
    problem(`must not contain a user name or password ("${value}" without them). Pass credentials through their own inputs.`)
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

/** Field values nest a few levels at most ({"update": {"labels": [{"add": "x"}]}}). */
const MAX_FIELDS_DEPTH = 32

function parseFieldsJson(value: string, problem: (message: string) => void): Record<string, unknown> | undefined {
  if (value === '') return undefined
  if (jsonDepth(value) > MAX_FIELDS_DEPTH) {
    problem(`nests deeper than ${MAX_FIELDS_DEPTH} levels; no Jira field value does. Pass an object of field ids to values, such as {"labels": ["ci"]}.`)
    return undefined
  }
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

/** How deep brackets nest in JSON text, strings skipped; counted before parsing anything deep. */
function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth)
    else if (c === '}' || c === ']') depth--
  }
  return deepest
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
