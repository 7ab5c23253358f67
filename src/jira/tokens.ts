/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4), as Data Center service accounts and Cloud
 * service accounts use them: the client id and secret are traded for an access token of about
 * an hour, with no refresh token; when it expires, the same credentials are asked again.
 */
import type { Authenticator, Authorization, ClientCredentialsConfig } from './auth.js'
import type { JiraClient } from './client.js'
import { errorText } from './diagnose.js'
import { JiraError } from './errors.js'
import type { JiraResponse } from './transport.js'

/** What the token source needs: a client for the token endpoint, the run's clock, and where new secrets go. */
export interface TokenSourceDependencies {
  /** A client whose base URL is the token endpoint itself; it sends no Authorization header. */
  tokenClient: JiraClient
  /** Epoch milliseconds: the client's clock, so a test's fake clock ages tokens too. */
  now: () => number
  /** Told of every access token the moment it arrives, before it is used: masked and redacted. */
  onToken: (accessToken: string) => void
}

interface Token {
  accessToken: string
  /** When to ask for the next one: a little before expires_in runs out. */
  renewAt: number
}

/** The error codes of RFC 6749 §5.2 that say the client itself is refused: nothing more is worth sending. */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'invalid_grant'])

/**
 * An Authenticator that sends `Authorization: Bearer <token>`, asking the token endpoint once
 * and sharing the answer with every concurrent request. A token is asked again when its
 * expires_in has (almost) run out, or when Jira answers 401 to it; a refused client is
 * remembered, so nothing more is sent.
 */
export function clientCredentialsAuthenticator(config: ClientCredentialsConfig, deps: TokenSourceDependencies): Authenticator & { readonly issued: number } {
  let current: Token | undefined
  let pending: Promise<Token> | undefined
  let refused: JiraError | undefined
  let issued = 0

  const fetchToken = async (): Promise<Token> => {
    const form: Record<string, string> = { grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret }
    if (config.scope) form.scope = config.scope
    if (config.audience) form.audience = config.audience
    const askedAt = deps.now()
    const response = await deps.tokenClient.send('POST', '', { form })
    const token = readToken(response, config, deps.tokenClient, askedAt)
    issued++
    deps.onToken(token.accessToken)
    return token
  }

  const token = async (): Promise<Token> => {
    if (refused) throw refused
    if (current && deps.now() < current.renewAt) return current
    pending ??= fetchToken()
      .then(fresh => (current = fresh))
      .catch((thrown: unknown) => {
        if (thrown instanceof JiraError && (thrown.kind === 'unauthorized' || thrown.kind === 'wrong-url')) refused = thrown
        throw thrown
      })
      .finally(() => (pending = undefined))
    return pending
  }

  return {
    mode: 'client-credentials',
    get issued() {
      return issued
    },
    async authorize(): Promise<Authorization> {
      return { header: `Bearer ${(await token()).accessToken}` }
    },
    renew(response, sent) {
      if (response.status !== 401 || refused) return false
      // A 401 to the token in use: it expired or was revoked early. Requests that got a 401 to
      // an older token just take the newer one; only the first asks for it.
      if (current && sent.header === `Bearer ${current.accessToken}`) current = undefined
      return true
    }
  }
}

/** The access token from the token endpoint's answer, or the failure it names, with the inputs to check. */
function readToken(response: JiraResponse, config: ClientCredentialsConfig, client: JiraClient, askedAt: number): Token {
  const { words, redactor } = client
  const clientInputs = `${words.input('client-id')} and ${words.input('client-secret')}`
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {}
  try {
    const parsed = JSON.parse(response.body) as unknown
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed
  } catch {
    // not JSON: said below
  }
  const details = { status: response.status }
  const accessToken = body.access_token
  if (response.status >= 200 && response.status < 300 && typeof accessToken === 'string' && /^[\x21-\x7e]+$/.test(accessToken)) {
    const expiresIn = Number(body.expires_in)
    // Asked again a little before the end (a tenth of the lifetime, a minute at most), so no
    // request is sent with a token about to expire on the way.
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : Number.POSITIVE_INFINITY
    return { accessToken, renewAt: askedAt + lifetime - Math.min(60_000, lifetime / 10) }
  }
  if (typeof accessToken === 'string') {
    // A token the check refused is still a secret: the answer that carries it is never quoted.
    redactor.add(accessToken)
    if (response.status < 300)
      return refuse(
        'error',
        `The token endpoint ${redactor.excerpt(config.tokenUrl, 200)} answered an access token that is not one (it is empty or holds spaces or characters outside printable ASCII); none of it is shown.`,
        `Check ${words.input('token-url')} points at the token endpoint, not at a proxy that rewrites its answers.`,
        details
      )
  }
  const error = typeof body.error === 'string' ? redactor.excerpt(body.error, 60) : undefined
  const description = typeof body.error_description === 'string' ? `: ${redactor.excerpt(body.error_description, 200)}` : ''
  const where = redactor.excerpt(config.tokenUrl, 200)
  if (error !== undefined && CLIENT_REFUSED.has(error)) {
    return refuse(
      'unauthorized',
      `The token endpoint ${where} refused the client (${error}${description}).`,
      `Check ${clientInputs}: they are the client id and secret of the service account's OAuth 2.0 credential (Data Center: Administration → Service accounts; Cloud: admin.atlassian.com → Directory → Service accounts → Credentials). A secret that was rotated or a credential that was deleted is refused. Check ${words.input('token-url')} too if it is set.`,
      details
    )
  }
  if (error === 'invalid_scope') {
    return refuse(
      'unauthorized',
      `The token endpoint ${where} refused the scope "${redactor.excerpt(config.scope ?? '', 80)}" (invalid_scope${description}).`,
      `Set ${words.input('scope')} to scopes the service account's credential has (Data Center: WRITE, or READ WRITE), or leave it empty.`,
      details
    )
  }
  if (error !== undefined) return refuse('error', `The token endpoint ${where} answered HTTP ${response.status}: ${error}${description}.`, '', details)
  if (response.status === 404 || response.status === 405 || (response.status < 300 && accessToken === undefined)) {
    return refuse(
      'wrong-url',
      `${where} is not an OAuth 2.0 token endpoint: it answered HTTP ${response.status} without an access token.`,
      `Data Center serves {jira-url}/rest/oauth2/latest/token on versions with service accounts; Cloud's is https://auth.atlassian.com/oauth/token. Set ${words.input('token-url')} to the right one, or use another way to authenticate on an older Jira.`,
      details
    )
  }
  return refuse(
    'error',
    `The token endpoint ${where} answered HTTP ${response.status} without an access token: ${errorText(response, redactor)}.`,
    response.status >= 500 ? 'It failed; try again later.' : `Check ${words.input('token-url')} points at the token endpoint, not at a proxy or a login page.`,
    details
  )
}

function refuse(kind: JiraError['kind'], reason: string, remedy: string, details: { status: number }): never {
  throw new JiraError(kind, reason, remedy, details)
}
