/**
 * Every input, declared once: its name, what it means, its default, whether it is a secret, and
 * how the command line takes it. action.yml, the CLI's flags and usage, and the README's table
 * are derived from or checked against this list (test/inputs.test.ts).
 */

/** The CLI commands that talk to Jira. */
export type JiraCommand = 'update' | 'check' | 'request-token' | 'access-token' | 'authorize'

const JIRA_COMMANDS: readonly JiraCommand[] = ['update', 'check', 'request-token', 'access-token', 'authorize']

export interface InputSpec {
  readonly name: string
  /** As action.yml says it. */
  readonly description: string
  /** The value when empty, as action.yml quotes it. */
  readonly default?: string
  readonly required?: boolean
  /** Masked at once by the action, and taken only from the environment by the CLI. */
  readonly secret?: boolean
  readonly cli: {
    /** How the CLI takes it as a flag: a value, a switch, or not at all (environment only). */
    readonly flag?: 'string' | 'boolean'
    /** The flag may be given more than once; its values are joined, one a line, as a multi-line input. */
    readonly multiple?: boolean
    /** The environment variable that stands for it (Jenkins' withCredentials binds these). */
    readonly env?: string
    /** A variable that names a file holding the value instead (a Jenkins Secret file). */
    readonly fileEnv?: string
    /** What --help says, where the action's words (quoted 'true', the step, job.status) do not fit a command line. */
    readonly description?: string
    /** The commands that take it. */
    readonly commands: readonly JiraCommand[]
  }
}

const DECLARED = [
  {
    name: 'jira-url',
    description: "Jira's base URL as Jira knows it, context path included, e.g. https://jira.example.com/jira.",
    required: true,
    cli: { flag: 'string', env: 'JIRA_URL', commands: JIRA_COMMANDS }
  },
  {
    name: 'api-url',
    description:
      "Where REST calls go when not to jira-url: Jira Cloud's API gateway, https://api.atlassian.com/ex/jira/{cloudId}. Empty on Cloud: derived for client credentials, and tried when the site refuses an API token (scoped tokens). Links keep jira-url.",
    cli: { flag: 'string', env: 'JIRA_API_URL', commands: ['update', 'check'] }
  },
  {
    name: 'consumer-key',
    description: "The consumer key of Jira's application link (incoming authentication).",
    cli: { flag: 'string', env: 'JIRA_CONSUMER_KEY', commands: JIRA_COMMANDS }
  },
  {
    name: 'private-key',
    description:
      'The RSA private key whose public key is on the application link: PEM PKCS#8 or PKCS#1, encrypted PKCS#8, or the bare base64 body. Pass it from a secret.',
    secret: true,
    cli: {
      env: 'JIRA_PRIVATE_KEY',
      fileEnv: 'JIRA_PRIVATE_KEY_FILE',
      description:
        'The RSA private key whose public key is on the application link: PEM PKCS#8 or PKCS#1, encrypted PKCS#8, or the bare base64 body. JIRA_PRIVATE_KEY_FILE names a file that holds it instead (a Jenkins Secret file credential).',
      commands: JIRA_COMMANDS
    }
  },
  {
    name: 'private-key-passphrase',
    description: 'The passphrase of an encrypted private key. Pass it from a secret.',
    secret: true,
    cli: { env: 'JIRA_PRIVATE_KEY_PASSPHRASE', description: 'The passphrase of an encrypted private key.', commands: JIRA_COMMANDS }
  },
  {
    name: 'access-token',
    description: 'The OAuth access token from the authorization dance (RSA-SHA1 needs no token secret). Pass it from a secret.',
    secret: true,
    cli: {
      env: 'JIRA_ACCESS_TOKEN',
      description: 'The OAuth access token from the authorize command (RSA-SHA1 needs no token secret).',
      commands: ['update', 'check']
    }
  },
  {
    name: 'personal-access-token',
    description: 'Instead of OAuth: a Jira Data Center (8.14+) personal access token, sent as a Bearer token. Pass it from a secret.',
    secret: true,
    cli: {
      env: 'JIRA_PERSONAL_ACCESS_TOKEN',
      description: 'Instead of OAuth: a Jira Data Center (8.14+) personal access token, sent as a Bearer token.',
      commands: ['update', 'check']
    }
  },
  {
    name: 'user',
    description: 'Instead of OAuth, with api-token: the user for basic auth (on Jira Cloud, the e-mail address).',
    cli: {
      flag: 'string',
      env: 'JIRA_USER',
      description: 'Instead of OAuth, with JIRA_API_TOKEN: the user for basic auth (on Jira Cloud, the e-mail address).',
      commands: ['update', 'check']
    }
  },
  {
    name: 'api-token',
    description: 'Instead of OAuth, with user: the API token for basic auth (Jira Cloud). Pass it from a secret.',
    secret: true,
    cli: { env: 'JIRA_API_TOKEN', description: 'Instead of OAuth, with --user: the API token for basic auth (Jira Cloud).', commands: ['update', 'check'] }
  },
  {
    name: 'client-id',
    description:
      'Instead of OAuth 1.0a, with client-secret: the client id of an OAuth 2.0 credential of a service account (client credentials; Data Center and Cloud).',
    cli: { flag: 'string', env: 'JIRA_CLIENT_ID', commands: ['update', 'check'] }
  },
  {
    name: 'client-secret',
    description: "With client-id: the client secret of the service account's OAuth 2.0 credential. Pass it from a secret.",
    secret: true,
    cli: {
      env: 'JIRA_CLIENT_SECRET',
      description: "With --client-id: the client secret of the service account's OAuth 2.0 credential.",
      commands: ['update', 'check']
    }
  },
  {
    name: 'token-url',
    description:
      'With client-id: where to ask for access tokens. Default: {jira-url}/rest/oauth2/latest/token on Data Center, https://auth.atlassian.com/oauth/token on Cloud (*.atlassian.net).',
    cli: { flag: 'string', env: 'JIRA_TOKEN_URL', commands: ['update', 'check'] }
  },
  {
    name: 'scope',
    description: 'With client-id: the scopes to ask for, separated by spaces (Data Center: WRITE, or READ WRITE). Empty: what the credential grants.',
    cli: { flag: 'string', env: 'JIRA_SCOPE', commands: ['update', 'check'] }
  },
  {
    name: 'issue',
    description:
      'One or more issue keys, separated by commas, spaces or newlines, e.g. CI-42. Empty: keys are found in the pull request title, head branch and commit messages.',
    cli: {
      flag: 'string',
      description:
        'One or more issue keys, separated by commas or spaces, e.g. CI-42. Without it (and without --jql), keys are found in CHANGE_TITLE and in BRANCH_NAME, CHANGE_BRANCH or GIT_BRANCH.',
      commands: ['update']
    }
  },
  {
    name: 'issue-source',
    description: 'Where to look for keys when issue is empty: any of pr-title, branch, commits, separated by commas.',
    default: 'pr-title,branch,commits',
    cli: {
      flag: 'string',
      description: 'Where to look for keys without --issue: any of pr-title (CHANGE_TITLE), branch, commits, separated by commas.',
      commands: ['update']
    }
  },
  {
    name: 'projects',
    description: 'Project keys that found keys must belong to, e.g. CI, WEB; it rules out look-alikes such as UTF-8.',
    cli: { flag: 'string', commands: ['update'] }
  },
  {
    name: 'jql',
    description: 'Select the issues with a JQL query instead, e.g. project = CI AND fixVersion = "1.0". Pages are read up to max-issues.',
    cli: { flag: 'string', commands: ['update'] }
  },
  {
    name: 'max-issues',
    description:
      'The most issues one run may write. When the JQL query, the keys found in the pull request or commits, or the issue list name more, nothing is written and result is invalid.',
    default: '100',
    cli: { flag: 'string', commands: ['update'] }
  },
  { name: 'field', description: 'The field to set, by id (customfield_10314) or by name (Build Result).', cli: { flag: 'string', commands: ['update'] } },
  {
    name: 'value',
    description:
      "The value to set, as a person writes it (Build Passed); formatted for the field's type. May use {status}, {run_url}, {run_number}, {sha}, {ref}, {workflow}, {repository}.",
    cli: {
      flag: 'string',
      description:
        "The value to set, as a person writes it (Build Passed); formatted for the field's type. May use {status}, {run_url}, {run_number}, {sha}, {ref}, {workflow}, {repository}. A value that starts with a dash needs an equals sign: --value=-1 (--value -1 reads -1 as a flag).",
      commands: ['update']
    }
  },
  {
    name: 'status',
    description: 'The build status that value-map maps to a value: the job status (job.status) or a Jenkins result.',
    cli: {
      flag: 'string',
      description:
        'The build status that --value-map maps to a value: currentBuild.currentResult (SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT) or success, failure, cancelled.',
      commands: ['update']
    }
  },
  {
    name: 'value-map',
    description: 'Values by status, e.g. success=Build Passed, failure=Build Failed, cancelled=Build Aborted.',
    cli: {
      flag: 'string',
      description:
        'Values by status, e.g. success=Build Passed, unstable=Build Unstable, failure=Build Failed, aborted=Build Aborted. Without an entry of its own, NOT_BUILT takes the aborted entry, ABORTED and NOT_BUILT the cancelled one, UNSTABLE the failure one.',
      commands: ['update']
    }
  },
  {
    name: 'set',
    description:
      'More fields, one change a line: "Name = value" sets a field (by name or id; templates filled, formatted by type), "Name += item" and "Name -= item" add and remove one item of a list field (labels, versions, components, multi-selects), keeping the others.',
    cli: { flag: 'string', multiple: true, commands: ['update'] }
  },
  {
    name: 'remote-link',
    description:
      'The title of a link to the run on each issue, e.g. Build #{run_number}: {status}. One link per workflow (per job on Jenkins): the next run updates it instead of adding one.',
    cli: { flag: 'string', commands: ['update'] }
  },
  {
    name: 'comment',
    description: 'A comment to post on each issue, e.g. Build {run_number} {status}: {run_url}. Never retried once it may have reached Jira.',
    cli: { flag: 'string', commands: ['update'] }
  },
  {
    name: 'comment-on',
    description: 'The statuses that post the comment, e.g. failure, cancelled. Empty: every status.',
    cli: { flag: 'string', commands: ['update'] }
  },
  {
    name: 'fields',
    description: 'A raw JSON object sent as {"fields": …}, for anything field and value cannot say.',
    cli: { flag: 'string', commands: ['update'] }
  },
  {
    name: 'notify-users',
    description: "'false' asks Jira not to e-mail watchers about the change (notifyUsers=false; needs admin rights on some sites).",
    default: 'true',
    cli: {
      flag: 'string',
      description: 'Pass false to ask Jira not to e-mail watchers about the change (notifyUsers=false; needs admin rights on some sites).',
      commands: ['update']
    }
  },
  { name: 'concurrency', description: 'How many issues are updated at once.', default: '4', cli: { flag: 'string', commands: ['update'] } },
  {
    name: 'max-retries',
    description:
      'Retries of a transient failure (429, 502, 503, 504, a lost connection), honouring Retry-After. 401, 403, 404, 400 and a CAPTCHA are never retried.',
    default: '3',
    cli: { flag: 'string', commands: JIRA_COMMANDS }
  },
  {
    name: 'timeout',
    description: "The step's time limit in seconds, retries and waits included.",
    default: '60',
    cli: { flag: 'string', description: "The command's time limit in seconds, retries and waits included.", commands: JIRA_COMMANDS }
  },
  {
    name: 'ca-certificate',
    description: "PEM of the CA certificate(s) that signed Jira's certificate, for Jira behind an internal CA (NODE_EXTRA_CA_CERTS works too).",
    cli: {
      flag: 'string',
      env: 'JIRA_CA_CERTIFICATE',
      description:
        "A PEM file (or the PEM itself) of the CA certificate(s) that signed Jira's certificate, for Jira behind an internal CA (NODE_EXTRA_CA_CERTS works too).",
      commands: JIRA_COMMANDS
    }
  },
  {
    name: 'fail-on-error',
    description: "'true' fails the step when an issue is not updated; 'false' turns failures into warnings and keeps the step green.",
    default: 'true',
    cli: {
      flag: 'string',
      description: 'Pass false to turn failures into warnings and exit 0, so a Jira outage keeps the build green; by default a failure exits 1.',
      commands: ['update']
    }
  },
  {
    name: 'dry-run',
    description:
      "'true' prints every request that would write (the edit, the link, the comment: method, URL and body, Authorization redacted) and sends none of them.",
    default: 'false',
    cli: {
      flag: 'boolean',
      description: 'A switch (no value): print the method, URL and body it would send (Authorization redacted) and send nothing that writes.',
      commands: ['update']
    }
  }
] as const satisfies readonly InputSpec[]

export type InputName = (typeof DECLARED)[number]['name']

/** Every input, in action.yml's order. */
export const INPUTS: ReadonlyArray<InputSpec & { readonly name: InputName }> = DECLARED

export const INPUT_NAMES: readonly InputName[] = INPUTS.map(input => input.name)

const BY_NAME = new Map<string, InputSpec>(INPUTS.map(input => [input.name, input]))

/** The declaration of one input. */
export function inputSpec(name: InputName): InputSpec {
  const spec = BY_NAME.get(name)
  if (!spec) throw new Error(`no input is declared as ${name}`)
  return spec
}

/** Inputs that hold secrets: masked at once by the action, taken only from the environment by the CLI. */
export const SECRET_INPUTS: ReadonlySet<InputName> = new Set(INPUT_NAMES.filter(name => inputSpec(name).secret === true))

export type RawInputs = Partial<Record<InputName, string>>

/** An input's declared default, as action.yml quotes it ('' when it has none). */
export function defaultOf(name: InputName): string {
  return inputSpec(name).default ?? ''
}

/** An input's text, trimmed; its declared default when empty. */
export function text(raw: RawInputs, input: InputName): string {
  return (raw[input] ?? '').trim() || defaultOf(input)
}

/** An input's declared default as a number, for the places that need one before any input is read. */
export function numericDefault(name: InputName): number {
  return Number(defaultOf(name))
}

/** How an edge names an input in messages: "input 'private-key'" or "--jira-url (or JIRA_URL)". */
export type InputNamer = (input: InputName) => string

/**
 * Reports one problem with an input; parsing goes on, so every problem is reported at once. The
 * message is prefixed with the input's name unless it names the inputs it concerns itself.
 */
export type Problem = (input: InputName, message: string, options?: { namesInputs?: boolean }) => void
