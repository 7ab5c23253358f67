import { X509Certificate, type KeyObject } from 'node:crypto'
import type { SourceText } from './issues/discover.js'
import type { TemplateValues } from './issues/value.js'
import { AUTH_MODE_NAMES, type AuthConfig } from './jira/auth.js'
import type { Consumer } from './jira/dance.js'
import type { NetworkOptions } from './jira/transport.js'
import type { CiRun } from './issues/link.js'
import { defaultOf, numericDefault, text, type InputName, type InputNamer, type Problem, type RawInputs } from './inputs.js'
import { messageOf } from './jira/errors.js'
import { isCloudSite } from './jira/gateway.js'
import { ACTION_WORDS } from './jira/words.js'
import { loadPrivateKey, PrivateKeyError } from './oauth/keys.js'
import { planChanges, planComment, planIssues, planRemoteLink, planValue } from './plan.js'
import type { UpdateOptions } from './update.js'

export type { AuthConfig, NetworkOptions, UpdateOptions }

export type { InputName, InputNamer, Problem, RawInputs }

/** The action's one way to name an input, in problems and remedies alike. */
export const actionInputName: InputNamer = input => ACTION_WORDS.input(input)

/** The inputs of each way to authenticate, for messages that list them. */
export const AUTH_MODE_INPUTS: Record<AuthConfig['mode'], InputName[]> = {
  oauth: ['consumer-key', 'private-key', 'access-token'],
  pat: ['personal-access-token'],
  basic: ['user', 'api-token'],
  'client-credentials': ['client-id', 'client-secret']
}

/** Inputs that only client credentials use. */
const CLIENT_CREDENTIALS_EXTRAS: InputName[] = ['token-url', 'scope']

/** Atlassian's token endpoint for Cloud service accounts, and the audience its tokens are for. */
export const CLOUD_TOKEN_URL = 'https://auth.atlassian.com/oauth/token'
export const CLOUD_AUDIENCE = 'api.atlassian.com'

/** Where Jira is and how to authenticate: what every command that talks to Jira needs. */
export interface ConnectionOptions extends NetworkOptions {
  /** Base URL without a trailing slash, context path included. */
  jiraUrl: string
  /** Where REST calls go when not to jiraUrl (Cloud's API gateway). */
  apiUrl?: string
  /** A Jira Cloud site (*.atlassian.net), or Atlassian's token endpoint in token-url. */
  cloud: boolean
  auth: AuthConfig
  /** Things worth saying that do not stop the run, such as basic auth over plain http. */
  warnings: string[]
}

/** What the OAuth dance needs, and what is worth saying of it. */
export interface ConsumerOptions extends Consumer, NetworkOptions {
  warnings: string[]
}

/** What the build's context offers: texts that may name issues, values for templates, and the CI. */
export interface RunContext {
  sourceTexts: SourceText[]
  templateValues: TemplateValues
  /** The event that started the run, when its texts may be written by anyone (pull_request_target). */
  outsiderEvent?: string
  /** Which CI and pipeline this is, for the remote link. */
  ci?: CiRun
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

/** The most max-issues may say (its default is in the declaration of inputs). */
const MAX_MAX_ISSUES = 10_000

const FORK_HINT =
  'If it is stored as a secret, check the job can see it: GitHub passes no secrets to workflows run for pull requests from forks, and Jenkins binds them only inside withCredentials.'

/** Runs a parser that reports problems, and throws them all at once as an InputError. */
function collect<T>(nameOf: InputNamer, parse: (problem: Problem) => T): T {
  const problems: InputProblem[] = []
  const result = parse((input, message, options) => problems.push({ input, message: options?.namesInputs ? message : `${nameOf(input)}: ${message}` }))
  if (problems.length > 0) throw new InputError(problems)
  return result
}

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
    const issues = planIssues(raw, nameOf, problem, context.sourceTexts)
    const value = planValue(raw, nameOf, problem, context.templateValues)
    const changes = planChanges(raw, nameOf, problem, context.templateValues, value)
    const remoteLink = planRemoteLink(raw, problem, context.templateValues, context.ci)
    const comment = planComment(raw, nameOf, problem, context.templateValues)

    const field = text(raw, 'field') || undefined
    const fields = parseFieldsJson(text(raw, 'fields'), message => problem('fields', message))
    if (field && value === undefined && text(raw, 'value-map') === '')
      problem('value', `is empty, but ${nameOf('field')} names ${field}. Pass the value to set, or ${nameOf('status')} and ${nameOf('value-map')}.`)
    if (value !== undefined && !field) problem('field', `is empty, but a value is set. Name the field by id (customfield_10314) or by name (Build Result).`)
    const asked = (['field', 'value', 'fields', 'set', 'remote-link', 'comment'] as const).some(input => text(raw, input) !== '')
    if (!asked) {
      problem(
        'field',
        `nothing to set. Pass ${nameOf('field')} and ${nameOf('value')}, ${nameOf('set')} with one change a line, ${nameOf('remote-link')}, ${nameOf('comment')}, or ${nameOf('fields')} as a JSON object.`
      )
    }
    for (const id of Object.keys(fields ?? {})) {
      const change = changes.find(c => c.field.trim().toLowerCase() === id.toLowerCase())
      if (change) problem('fields', `sets ${id} too, which ${change.origin} already changes. Change it in one place.`)
    }

    const concurrencyText = text(raw, 'concurrency')
    const concurrency = Number(concurrencyText)
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
      problem('concurrency', `"${concurrencyText}" is not a whole number from 1 to 16.`)
    }
    const flag = (input: InputName): boolean => parseBoolean(text(raw, input), defaultOf(input) === 'true', message => problem(input, message))
    const notifyUsers = flag('notify-users')
    const failOnError = flag('fail-on-error')
    const dryRun = flag('dry-run')
    const maxIssuesText = text(raw, 'max-issues')
    const maxIssues = Number(maxIssuesText)
    if (!Number.isInteger(maxIssues) || maxIssues < 1 || maxIssues > MAX_MAX_ISSUES) {
      problem('max-issues', `"${maxIssuesText}" is not a whole number from 1 to ${MAX_MAX_ISSUES}.`)
    }
    if (issues.by === 'keys' && issues.found && context.outsiderEvent && text(raw, 'projects') === '') {
      connection.warnings.push(
        `The issue keys were found in the pull request's ${issues.found} on a ${context.outsiderEvent} event, which whoever opened the pull request writes (from a fork too). Set ${nameOf('projects')} to your project keys so only those count; at most ${nameOf('max-issues')} (${maxIssues}) are written.`
      )
    }
    return { ...connection, issues, changes, fields, remoteLink, comment, notifyUsers, concurrency, failOnError, dryRun, maxIssues }
  })
  // Only when everything else is right: a malformed input stays a hard error.
  if (noCredentials !== undefined) throw new NoCredentialsError(noCredentials, options.failOnError, options.jiraUrl)
  return options
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
    checkLength(raw, 'consumer-key', problem)
    const warnings: string[] = []
    if (jiraUrl.startsWith('http:')) {
      warnings.push(
        `The OAuth dance over plain http shows the request token, the verification code and the access token Jira answers with to anyone on the network; use an https ${nameOf('jira-url')}.`
      )
    }
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
    `OAuth 1.0a: ${AUTH_MODE_INPUTS.oauth.map(nameOf).join(', ')}; personal access token: ${nameOf('personal-access-token')}; basic with an API token: ${nameOf('user')} and ${nameOf('api-token')}; service account (OAuth 2.0 client credentials): ${nameOf('client-id')} and ${nameOf('client-secret')}`
  let auth: AuthConfig | undefined
  const missing = configured.length === 1 ? AUTH_MODE_INPUTS[configured[0]].filter(input => text(raw, input) === '') : []
  if (configured.length === 0) {
    const message = `No credentials are given: none of the inputs of any way to authenticate is set. Configure exactly one (${listModes()}). ${FORK_HINT}`
    if (none) none(`No credentials are configured (${listModes()}), so nothing was sent to Jira. ${FORK_HINT}`)
    else problem('access-token', message, { namesInputs: true })
  } else if (missing.length > 0) {
    // Which way was chosen, from the inputs that are set, and every input it still lacks:
    // an unset variable and an empty one (a Jenkins binding gone wrong) are told apart.
    const mode = configured[0]
    const present = AUTH_MODE_INPUTS[mode].filter(input => !missing.includes(input))
    const lacking = missing.map(input => `${nameOf(input)} (${raw[input] === undefined ? 'not set' : 'empty'})`)
    problem(
      missing[0],
      `${capitalize(AUTH_MODE_NAMES[mode])} is the way to authenticate chosen, because ${present.map(nameOf).join(' and ')} ${present.length === 1 ? 'is' : 'are'} set; it also needs ${lacking.join(' and ')}. ${FORK_HINT}`,
      { namesInputs: true }
    )
  } else if (configured.length > 1) {
    problem(
      AUTH_MODE_INPUTS[configured[1]][0],
      `credentials for ${configured.length} ways to authenticate are set (${configured.join(', ')}); configure exactly one (${listModes()}).`
    )
  } else if (configured[0] === 'oauth') {
    auth = parseOAuth(raw, nameOf, problem, warnings)
    if (jiraUrl.startsWith('http:')) warnings.push(oauthOverHttp(nameOf))
  } else if (configured[0] === 'client-credentials') {
    auth = parseClientCredentials(raw, nameOf, problem, jiraUrl, warnings)
  } else if (configured[0] === 'pat') {
    auth = { mode: 'pat', personalAccessToken: text(raw, 'personal-access-token') }
    checkToken(raw, 'personal-access-token', problem)
    if (jiraUrl.startsWith('http:')) {
      warnings.push(
        `A personal access token over plain http is readable to anyone on the network, who can then act as its user until it is revoked; use an https ${nameOf('jira-url')}.`
      )
    }
  } else {
    const user = text(raw, 'user')
    const apiToken = text(raw, 'api-token')
    // eslint-disable-next-line no-control-regex -- control characters are what is refused here
    if (/[\u0000-\u001f\u007f:]/.test(user))
      problem('user', 'holds a colon, a line break or a control character, which basic auth cannot carry. Write the user name or e-mail address alone.')
    checkToken(raw, 'api-token', problem)
    checkLength(raw, 'user', problem)
    auth = { mode: 'basic', user, apiToken }
    if (jiraUrl.startsWith('http:')) {
      warnings.push(`Basic auth over plain http sends the API token readable to anyone on the network; use an https ${nameOf('jira-url')}.`)
    }
  }
  if (auth?.mode !== 'client-credentials') {
    for (const input of CLIENT_CREDENTIALS_EXTRAS) {
      if (text(raw, input) !== '')
        problem(input, `is set, but only client credentials use it. Set ${nameOf('client-id')} and ${nameOf('client-secret')} too, or leave it empty.`)
    }
  }
  const apiUrlText = text(raw, 'api-url')
  const apiUrl = apiUrlText === '' ? undefined : parseApiUrl(apiUrlText, message => problem('api-url', message))
  const cloud = isCloudSite(jiraUrl) || (auth?.mode === 'client-credentials' && auth.tokenUrl === CLOUD_TOKEN_URL)
  // collect() throws when auth is missing, so it is defined past this point.
  return { jiraUrl, apiUrl, cloud, auth: auth as AuthConfig, warnings, ...parseNetwork(raw, problem) }
}

/**
 * A service account's OAuth 2.0 credential: the client id and secret, and the token endpoint
 * (Data Center's under jira-url, Atlassian's for a Cloud site) unless token-url names another.
 */
function parseClientCredentials(raw: RawInputs, nameOf: InputNamer, problem: Problem, jiraUrl: string, warnings: string[]): AuthConfig {
  const clientId = text(raw, 'client-id')
  const clientSecret = text(raw, 'client-secret')
  // An empty client id or secret was reported with the way to authenticate it belongs to.
  if (/[^\x21-\x7e]/.test(clientId)) problem('client-id', 'holds a space, a line break or a character outside ASCII, which no client id has. Copy it again.')
  checkToken(raw, 'client-secret', problem)
  const scope = text(raw, 'scope')
  if (scope !== '' && !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scope)) {
    problem('scope', `"${scope}" is not a list of scopes separated by single spaces (RFC 6749 §3.3), e.g. WRITE or READ WRITE.`)
  }
  const tokenUrlText = text(raw, 'token-url')
  let tokenUrl: string
  if (tokenUrlText !== '') {
    tokenUrl = parseEndpointUrl(tokenUrlText, message => problem('token-url', message))
  } else {
    // Cloud sites are Atlassian's host names; anything else is taken for Data Center.
    tokenUrl = isCloudSite(jiraUrl) ? CLOUD_TOKEN_URL : jiraUrl && `${jiraUrl}/rest/oauth2/latest/token`
  }
  if (tokenUrl.startsWith('http:') || (tokenUrlText === '' && jiraUrl.startsWith('http:'))) {
    warnings.push(
      `Client credentials over plain http send the client secret and the access tokens readable to anyone on the network; use https for ${nameOf('jira-url')} and ${nameOf('token-url')}.`
    )
  }
  const cloudTokens = tokenUrl === CLOUD_TOKEN_URL
  return { mode: 'client-credentials', clientId, clientSecret, tokenUrl, ...(scope ? { scope } : {}), ...(cloudTokens ? { audience: CLOUD_AUDIENCE } : {}) }
}

/** api-url: an http(s) base URL with no query; the gateway's path is kept. */
function parseApiUrl(written: string, problem: (message: string) => void): string | undefined {
  const url = parseEndpointUrl(written, problem)
  if (url === '') return undefined
  if (/\/rest(\/|$)/.test(new URL(url).pathname)) {
    problem(`"${written}" goes as far as /rest. Give the base the REST paths go under, e.g. https://api.atlassian.com/ex/jira/{cloudId}.`)
    return undefined
  }
  return url
}

/** An http(s) URL checked as jira-url is, without a trailing slash; '' after a problem. */
function parseEndpointUrl(written: string, problem: (message: string) => void): string {
  const url = parseHttpUrl(written, problem)
  return url ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : ''
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
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
  checkLength(raw, input, problem)
}

/** The most a credential that travels in a header may hold; Jira's own tokens are far shorter. */
export const MAX_CREDENTIAL_BYTES = 8 * 1024

/** A credential longer than any Jira makes is a wrong paste (a whole file, several values): refused unsent. */
function checkLength(raw: RawInputs, input: InputName, problem: Problem): void {
  const bytes = Buffer.byteLength(text(raw, input), 'utf8')
  if (bytes > MAX_CREDENTIAL_BYTES) {
    problem(input, `is ${bytes.toLocaleString('en-US')} bytes long, more than the 8 KiB any credential Jira issues needs. Copy the value again, alone.`)
  }
}

/** What OAuth 1.0a over plain http gives away; the dance is worse, its answers carry tokens. */
function oauthOverHttp(nameOf: InputNamer): string {
  return `OAuth over plain http shows the access token and every request's signature to anyone on the network, and JSON bodies are not signed, so a body can be changed on the way; use an https ${nameOf('jira-url')}.`
}

function parseNetwork(raw: RawInputs, problem: Problem): NetworkOptions {
  const whole = (input: InputName, fallback: number, min: number, max: number): number => {
    const value = text(raw, input)
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problem(input, `"${value}" is not a whole number from ${min} to ${max}.`)
      return fallback
    }
    return parsed
  }
  const maxRetries = whole('max-retries', numericDefault('max-retries'), 0, 10)
  const timeoutSeconds = whole('timeout', numericDefault('timeout'), 1, 3600)
  const caText = text(raw, 'ca-certificate')
  if (caText === '') return { maxRetries, timeoutSeconds }
  const pems = [...caText.replace(/\\n/g, '\n').matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(m => m[0])
  if (pems.length === 0) {
    problem(
      'ca-certificate',
      'holds no PEM certificate. Pass the CA certificate(s) as PEM, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.'
    )
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
  // Empty inputs were reported with the way to authenticate they belong to.
  const consumerKey = text(raw, 'consumer-key')
  const accessToken = text(raw, 'access-token')
  if (/[^\x20-\x7e\u00a0-\u00ff]/.test(consumerKey))
    problem('consumer-key', 'holds a line break or a character outside Latin-1. Copy the consumer key of the application link again.')
  checkToken(raw, 'access-token', problem)
  checkLength(raw, 'consumer-key', problem)
  const privateKey = text(raw, 'private-key') === '' ? undefined : parsePrivateKey(raw, nameOf, problem, warnings)
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
    problem(
      'private-key',
      `is a ${bits}-bit RSA key, too weak to sign with. Make a new key of ${ADVISED_KEY_BITS} bits or more (the keygen command) and register its public key on the application link.`
    )
    return undefined
  }
  if (bits < ADVISED_KEY_BITS) {
    warnings.push(
      `The private key has ${bits} bits; ${ADVISED_KEY_BITS} or more is advised. Make a new key (the keygen command) and register its public key on the application link when you can.`
    )
  }
  return key
}

/**
 * Checks jira-url is the base URL Jira knows itself by: http(s), no query, and not a REST or
 * page URL pasted from the browser. Returns it without a trailing slash.
 *
 * A user name or password is refused in every spelling the WHATWG URL parser (Node's, and
 * browsers') accepts: it skips any number of slashes and backslashes after http: (none at
 * all too), and silently removes tabs and line breaks anywhere. So control characters and
 * backslashes are refused first, then any '@'; no message ever repeats what stood before the
 * last '@'.
 */
export function parseJiraUrl(written: string, problem: (message: string) => void): string {
  if (written === '') {
    problem("is empty. Use Jira's base URL with its context path, e.g. https://jira.example.com/jira.")
    return ''
  }
  const url = parseHttpUrl(written, problem)
  if (!url) return ''
  const value = written
  const path = url.pathname.replace(/\/+$/, '')
  const page = /\/(rest|plugins|browse|secure|projects|login\.jsp)(\/|$)/.exec(path)
  if (page) {
    problem(`"${value}" points inside Jira (${page[0].replace(/\/$/, '')}…). Use the base URL: ${url.origin}${path.slice(0, page.index)}.`)
    return ''
  }
  return `${url.origin}${path}`
}

/**
 * An http(s) URL written the way everyone reads alike: one line, no user name or password (never
 * repeated), no backslash or space, scheme and host, no query or fragment. undefined after a problem.
 */
function parseHttpUrl(written: string, problem: (message: string) => void): URL | undefined {
  // Tabs and line breaks would be dropped by the parser, so what is sent would differ from what
  // was written; invisible format characters (a zero-width space) are as much a paste gone wrong.
  const hidden = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.exec(written)
  if (hidden) {
    const code = `U+${hidden[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`
    problem(
      `holds a control or invisible character (${code} at position ${hidden.index + 1}), such as a line break or a tab. Write the URL on one line, without them.`
    )
    return undefined
  }
  const at = written.lastIndexOf('@')
  if (at >= 0) {
    // Whatever stood before the last '@' may be a password: only what follows is shown.
    const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(written)?.[1]?.toLowerCase() ?? 'https'
    problem(
      `must not contain a user name or password (it holds an '@'). Pass credentials through their own inputs, and Jira's base URL alone, e.g. ${scheme}://${written.slice(at + 1)}.`
    )
    return undefined
  }
  if (written.includes('\\')) {
    problem(`"${written}" holds a backslash. Write the URL with forward slashes, e.g. ${written.replace(/\\/g, '/')}.`)
    return undefined
  }
  const value = written
  if (/\s/.test(value)) {
    problem(`"${value}" holds a space. Write the URL without spaces; percent-encode one that belongs to the context path (%20).`)
    return undefined
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problem(`"${value}" is not a URL. Write it with its scheme, e.g. https://${value.replace(/^\/+/, '')}.`)
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problem(`"${value}" must start with https:// or http://.`)
    return undefined
  }
  // The parser also takes http:host and http:///host; only the spelling everyone reads alike is.
  if (!/^https?:\/\/[^/]/i.test(value)) {
    problem(`"${value}" must start with ${url.protocol}// and the host name. Write it as ${url.origin}${url.pathname.replace(/\/+$/, '')}.`)
    return undefined
  }
  if (url.username !== '' || url.password !== '') {
    problem('must not contain a user name or password. Pass credentials through their own inputs.')
    return undefined
  }
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    problem(`"${value}" has a query or fragment. Use the base URL alone: ${url.origin}${url.pathname.replace(/\/+$/, '')}.`)
    return undefined
  }
  return url
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
    const detail = messageOf(thrown)
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
