/* eslint-disable no-control-regex -- control characters and escape sequences are what this finds */
/**
 * The boundary for text that came from Jira or the network: decode, redact, cap, in that order
 * (escaping for where the text goes is the sinks' part, src/report/sink.ts). Proxies, WAFs and
 * error pages echo requests back, Authorization header included, in whatever encoding they
 * like; a runner's log masks only the exact values it was told. So secrets are found on the
 * decoded text, case aside and whitespace ignored, by any run of 12 of their characters, and
 * nothing is cut or escaped before that.
 */
import type { AuthConfig } from './auth.js'
import { authSecrets } from './auth.js'

/** Percent-encoding of RFC 3986 (what OAuth and Jira's base string use). */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** How many consecutive characters of a secret count as the secret showing. */
export const SECRET_RUN = 12
/** Runs of token characters this long are elided from Jira's text, secret or not. */
export const TOKEN_RUN = 32
/** How much of an answer an error message quotes at most. */
export const EXCERPT_CHARS = 300
/** The most of one text the boundary reads: no display of 4 KiB can come from more. */
const MAX_INPUT_CHARS = 64 * 1024
/** Rounds of decoding at most (each undoes one layer: %2541 → %41 → A). */
const MAX_DECODE_ROUNDS = 8
/** What stands in for a secret. */
export const REDACTED = '***'

// Every HTML5 named character reference whose value is ASCII (from the WHATWG list; letters and
// digits have none but "fjlig"; nvlt, bne and nvgt add a combining mark, dropped here), plus the
// no-break space. Secrets are ASCII (the input parser refuses others), so no other named
// reference can hide one; the rest are shown as written.
const NAMED_ENTITIES: Record<string, string> = {
  Tab: '\t',
  NewLine: '\n',
  excl: '!',
  quot: '"',
  QUOT: '"',
  num: '#',
  dollar: '$',
  percnt: '%',
  amp: '&',
  AMP: '&',
  apos: "'",
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  lt: '<',
  LT: '<',
  nvlt: '<',
  equals: '=',
  bne: '=',
  gt: '>',
  GT: '>',
  nvgt: '>',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  Hat: '^',
  lowbar: '_',
  UnderBar: '_',
  grave: '`',
  DiacriticalGrave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  VerticalLine: '|',
  rcub: '}',
  rbrace: '}',
  nbsp: '\u00a0',
  NonBreakingSpace: '\u00a0',
  fjlig: 'fj'
}
// Browsers also read these legacy references without the semicolon.
const LEGACY_ENTITY = /&(amp|AMP|lt|LT|gt|GT|quot|QUOT|nbsp)(?![A-Za-z0-9;])/y
const NAMED_ENTITY = /&([A-Za-z]{2,16});/y
const NUMERIC_ENTITY = /&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?/y
const PERCENT_BYTE = /%([0-9A-Fa-f]{2})/y
const BACKSLASH_ESCAPE = /\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([/\\"'nrtbf]))/y
// ANSI escape sequences: CSI (ESC [ or U+009B … final byte), OSC (ESC ] … BEL or ST), and the
// two-character ones; a terminal would act on them, and they can split a secret.
const ANSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/y
const SIMPLE_ESCAPES: Record<string, string> = { '/': '/', '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' }

/**
 * Text as a list of UTF-16 units, each with the span [start, end) of the original text it was
 * decoded from, so a secret found in the decoded text can be cut out of the original too.
 */
interface Mapped {
  units: string[]
  starts: number[]
  ends: number[]
}

function mappedOf(text: string): Mapped {
  const units = text.split('')
  return { units, starts: units.map((_, i) => i), ends: units.map((_, i) => i + 1) }
}

/**
 * Undoes, repeatedly, every encoding an echo may wear: percent-encoding (either case), JSON and
 * JavaScript backslash escapes (\u0070, \x70, \/), HTML character references (named and
 * numeric); and drops ANSI escape sequences. Each decoded unit keeps its original span.
 */
function decodeMapped(text: string): Mapped {
  let mapped = mappedOf(text)
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = decodeOnce(mapped)
    if (next.units.length === mapped.units.length && next.units.every((unit, i) => unit === mapped.units[i])) break
    mapped = next
  }
  return mapped
}

function decodeOnce(mapped: Mapped): Mapped {
  const text = mapped.units.join('')
  const out: Mapped = { units: [], starts: [], ends: [] }
  const push = (value: string, from: number, to: number): void => {
    const start = mapped.starts[from]
    const end = mapped.ends[to - 1]
    for (const unit of value.split('')) {
      out.units.push(unit)
      out.starts.push(start)
      out.ends.push(end)
    }
  }
  const at = (pattern: RegExp, i: number): RegExpExecArray | null => {
    pattern.lastIndex = i
    return pattern.exec(text)
  }
  let i = 0
  while (i < text.length) {
    const c = text[i]
    let match: RegExpExecArray | null = null
    if (c === '%' && (match = at(PERCENT_BYTE, i))) {
      const taken = percentSequence(text, i)
      if (taken) {
        push(taken.value, i, i + taken.length)
        i += taken.length
        continue
      }
    } else if (c === '\\' && (match = at(BACKSLASH_ESCAPE, i))) {
      const [whole, braced, u4, x2, simple] = match
      const code = braced ?? u4 ?? x2
      const value = code !== undefined ? codePointText(parseInt(code, 16)) : SIMPLE_ESCAPES[simple]
      if (value !== undefined) {
        push(value, i, i + whole.length)
        i += whole.length
        continue
      }
    } else if (c === '&') {
      const entity = entityAt(text, i)
      if (entity) {
        push(entity.value, i, i + entity.length)
        i += entity.length
        continue
      }
    } else if ((c === '\u001b' || c === '\u009b') && (match = at(ANSI, i))) {
      i += match[0].length
      continue
    }
    push(c, i, i + 1)
    i++
  }
  return out
}

/** An HTML character reference at `i`, decoded: numeric, named (ASCII values only) or legacy. */
function entityAt(text: string, i: number): { value: string; length: number } | undefined {
  NUMERIC_ENTITY.lastIndex = i
  const numeric = NUMERIC_ENTITY.exec(text)
  if (numeric) {
    const value = codePointText(numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10))
    return value === undefined ? undefined : { value, length: numeric[0].length }
  }
  for (const pattern of [NAMED_ENTITY, LEGACY_ENTITY]) {
    pattern.lastIndex = i
    const named = pattern.exec(text)
    if (named && Object.hasOwn(NAMED_ENTITIES, named[1])) return { value: NAMED_ENTITIES[named[1]], length: named[0].length }
  }
  return undefined
}

/** One UTF-8 character written as %XX bytes at `i`, decoded; undefined when the bytes are not one. */
function percentSequence(text: string, i: number): { value: string; length: number } | undefined {
  const byteAt = (k: number): number | undefined => {
    PERCENT_BYTE.lastIndex = i + 3 * k
    const match = PERCENT_BYTE.exec(text)
    return match ? parseInt(match[1], 16) : undefined
  }
  const lead = byteAt(0) ?? 0
  const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
  if (size === 0) return undefined
  const bytes = [lead]
  for (let k = 1; k < size; k++) {
    const byte = byteAt(k)
    if (byte === undefined || byte < 0x80 || byte > 0xbf) return undefined
    bytes.push(byte)
  }
  const value = Buffer.from(bytes).toString('utf8')
  return value.includes('\ufffd') ? undefined : { value, length: 3 * size }
}

function codePointText(code: number): string | undefined {
  return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : undefined
}

// Whitespace as JavaScript and .NET (the runner) see it, and invisible formatting characters:
// none of them may split a secret from the matcher's view.
const IGNORED = /[\s\u0085\u180e\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u0000-\u001f\u007f-\u009f]/

/** The matcher's view: case folded, fullwidth forms folded, whitespace and controls dropped. */
function normalized(units: string[]): { text: string; index: number[] } {
  let text = ''
  const index: number[] = []
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]
    if (IGNORED.test(unit)) continue
    let folded = unit.charCodeAt(0) < 0x80 ? unit.toLowerCase() : unit.normalize('NFKC').toLowerCase()
    if (folded.length !== 1) folded = unit
    text += folded
    index.push(i)
  }
  return { text, index }
}

function normalizedSecret(text: string): string {
  return normalized(text.split('')).text
}

/** A form a secret may travel in, and where its secret part starts (windows must reach it). */
interface SecretForm {
  text: string
  secretFrom: number
}

function base64Forms(bytes: Buffer, secretFromByte = 0): SecretForm[] {
  const forms: SecretForm[] = []
  // The three alignments, so the secret is found inside the base64 of a longer text too; the
  // characters that mix in a neighbour's bits are left off.
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64')
    const from = shift === 0 ? 0 : 4
    const to = shift === 0 ? encoded.length : Math.max(from, encoded.length - 4)
    const body = encoded.slice(from, to)
    const secretFrom = Math.max(0, Math.floor(((secretFromByte + shift) * 8) / 6) - from)
    forms.push({ text: body, secretFrom }, { text: body.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), secretFrom })
  }
  return forms
}

/** Every form of a secret the matcher looks for, on top of what decoding undoes. */
function formsOf(secret: string, prefix = ''): SecretForm[] {
  const whole = `${prefix}${secret}`
  const forms: SecretForm[] = [{ text: whole, secretFrom: prefix.length }]
  forms.push(...base64Forms(Buffer.from(whole, 'utf8'), Buffer.byteLength(prefix)))
  if (prefix === '') forms.push({ text: Buffer.from(secret, 'utf8').toString('hex'), secretFrom: 0 })
  return forms
}

// A PEM key's armour and headers are not secret, and would match ordinary words.
function secretBody(secret: string): string {
  if (!secret.includes('-----BEGIN')) return secret.trim()
  return secret
    .replace(/\\n/g, '\n')
    .replace(/-----[A-Z0-9 ]+-----/g, '')
    .replace(/^[A-Za-z-]+:.*$/gm, '')
    .replace(/\s+/g, '')
}

/** What a redactor protects: raw secrets, and secrets sent after a known prefix (user:token). */
export interface SecretSet {
  secrets: Iterable<string>
  /** Sent as `prefix + secret` (basic auth's user:api-token); only runs that reach the secret count. */
  prefixed?: Array<{ prefix: string; secret: string }>
}

/** Spans [start, end) of a text, merged. */
type Spans = Array<[number, number]>

/** Finds and removes secrets; the one boundary every text from the network passes. */
export class Redactor {
  private readonly windows = new Set<string>()
  private readonly shortForms: string[] = []
  private readonly masks: string[] = []

  /** `secrets` are the raw values (or a SecretSet); their derived forms are found here. */
  constructor(secrets: Iterable<string> | SecretSet = []) {
    const set: SecretSet = isSecretSet(secrets) ? secrets : { secrets }
    for (const raw of set.secrets) this.add(raw)
    for (const { prefix, secret } of set.prefixed ?? []) {
      if (secret.trim().length < 4) continue
      for (const form of formsOf(secret.trim(), prefix)) this.addForm(form)
      // A short secret is found as user:secret whole.
      if (secret.trim().length < SECRET_RUN) this.addShort(normalizedSecret(`${prefix}${secret.trim()}`))
    }
  }

  /**
   * Adds a secret learnt during the run, such as an access token just issued, and returns its
   * new forms for the runner's masking.
   */
  add(raw: string): string[] {
    const secret = secretBody(raw)
    if (secret.length < 4) return []
    // A PEM key is never sent, so no echo can encode it: its body as it is suffices.
    if (raw.includes('-----BEGIN')) {
      this.addForm({ text: secret, secretFrom: 0 })
      return []
    }
    for (const form of formsOf(secret)) this.addForm(form)
    const added = maskableForms(secret).filter(form => form.length >= 4 && !this.masks.includes(form))
    this.masks.push(...new Set(added))
    // Longest first, so the runner masks a secret that contains another whole.
    this.masks.sort((a, b) => b.length - a.length)
    return [...new Set(added)]
  }

  private addForm(form: SecretForm): void {
    const text = normalizedSecret(form.text)
    if (text.length < 4) return
    if (text.length < SECRET_RUN) {
      if (form.secretFrom === 0) this.addShort(text)
      return
    }
    for (let i = 0; i + SECRET_RUN <= text.length; i++) if (i + SECRET_RUN > form.secretFrom) this.windows.add(text.slice(i, i + SECRET_RUN))
  }

  private addShort(text: string): void {
    if (this.shortForms.includes(text)) return
    this.shortForms.push(text)
    // Longest first, so a secret that contains another is replaced whole.
    this.shortForms.sort((a, b) => b.length - a.length)
  }

  /** The derived forms the runner can mask itself (it masks exact strings only), for core.setSecret. */
  get maskable(): readonly string[] {
    return this.masks
  }

  /**
   * The boundary for a text from the network before it goes into any message: decoded, secrets
   * and credential-shaped values replaced with ***, runs of 32 or more token characters elided,
   * ANSI sequences and line breaks gone, then cut to `max` characters. One line, not yet escaped
   * for where it goes: that is the sink's part.
   */
  excerpt(text: string, max = EXCERPT_CHARS): string {
    const mapped = decodeMapped(text.length > MAX_INPUT_CHARS ? text.slice(0, MAX_INPUT_CHARS) : text)
    const decoded = mapped.units.join('')
    const secret = this.secretUnits(mapped.units)
    for (const [start, end] of credentialValues(decoded)) for (let i = start; i < end; i++) secret[i] = true
    const elided = tokenRuns(decoded)
    let out = ''
    for (let i = 0; i < decoded.length;) {
      if (secret[i]) {
        while (i < decoded.length && secret[i]) i++
        out += REDACTED
        continue
      }
      const run = elided.get(i)
      if (run !== undefined) {
        out += `[${run} characters elided]`
        i += run
        continue
      }
      out += decoded[i]
      i++
    }
    return cap(
      out
        .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
        .replace(/[\s\u0085]+/g, ' ')
        .trim(),
      max
    )
  }

  /** excerpt() with a long cap, for texts quoted whole (Jira's base string, in debug output). */
  redact(text: string): string {
    return this.excerpt(text, 4000)
  }

  /**
   * For the sinks: the text as written, with each secret cut out wherever a decoded view of it
   * shows one (%74ok…, &#116;ok…, toK\nEN…). Nothing else changes: the sinks' own text, such as
   * a URL, keeps its encoding.
   */
  scrub(text: string, marker = REDACTED): string {
    if (this.windows.size === 0 && this.shortForms.length === 0) return text
    const mapped = decodeMapped(text)
    const secret = this.secretUnits(mapped.units)
    const spans: Spans = []
    for (let i = 0; i < secret.length; i++) {
      if (!secret[i]) continue
      const [start, end] = [mapped.starts[i], mapped.ends[i]]
      const last = spans[spans.length - 1]
      if (last && start <= last[1]) last[1] = Math.max(last[1], end)
      else spans.push([start, end])
    }
    let out = ''
    let at = 0
    for (const [start, end] of spans) {
      out += text.slice(at, start) + marker
      at = end
    }
    return out + text.slice(at)
  }

  /** Which decoded units belong to a secret: any run of 12 of its characters, or a short one whole. */
  private secretUnits(units: string[]): boolean[] {
    const marks = new Array<boolean>(units.length).fill(false)
    if (this.windows.size === 0 && this.shortForms.length === 0) return marks
    const { text, index } = normalized(units)
    const mark = (from: number, length: number): void => {
      for (let k = from; k < from + length; k++) marks[index[k]] = true
    }
    if (this.windows.size > 0) for (let i = 0; i + SECRET_RUN <= text.length; i++) if (this.windows.has(text.slice(i, i + SECRET_RUN))) mark(i, SECRET_RUN)
    for (const form of this.shortForms) for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) mark(i, form.length)
    // Units dropped from the view (a line break inside a secret) go with the secret around them.
    let lastMarked = -1
    for (let i = 0; i < units.length; i++) {
      if (!marks[i]) continue
      if (lastMarked >= 0 && i - lastMarked > 1 && units.slice(lastMarked + 1, i).every(unit => IGNORED.test(unit))) marks.fill(true, lastMarked + 1, i)
      lastMarked = i
    }
    return marks
  }
}

function isSecretSet(value: Iterable<string> | SecretSet): value is SecretSet {
  return typeof value === 'object' && value !== null && 'secrets' in value
}

/** The forms the runner can mask by exact match: percent-encoded once and twice in both cases, form-encoded, base64, case changed. */
function maskableForms(secret: string): string[] {
  const once = percentEncode(secret)
  const twice = percentEncode(once)
  const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, escape => escape.toLowerCase())
  return [
    secret,
    once,
    twice,
    lowerHex(once),
    lowerHex(twice),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret, 'utf8').toString('base64'),
    secret.toUpperCase(),
    secret.toLowerCase()
  ]
}

/** The redactor for a way to authenticate, plus any other secret read from the inputs. */
export function redactorFor(auth?: AuthConfig, more: Iterable<string> = []): Redactor {
  const secrets = [...(auth ? authSecrets(auth) : []), ...more]
  const prefixed = auth?.mode === 'basic' ? [{ prefix: `${auth.user}:`, secret: auth.apiToken }] : []
  return new Redactor({ secrets, prefixed })
}

// A header value that carries credentials, wherever an echo prints it: "Authorization: Basic …",
// "authorization=Bearer …", JSON "authorization":"OAuth …".
const AUTHORIZATION = /(authorization"?\s*[:=]\s*"?(?:Bearer|Basic|OAuth|Token|Digest|Negotiate)\s+)([^\r\n"]*)/gi
// OAuth parameters that are secrets or prove possession of one, in header form (name="value"),
// form encoding (name=value) and percent-encoded (decoding undid most of that already).
const OAUTH_SECRET_PARAM = /\b(oauth_(?:token_secret|token|signature|verifier|session_handle))(="?|%(?:25)*3D)((?:(?!%(?:25)*26)[^&"\s,;<])+)/g
// Cookies and other credential headers an echo may carry.
const CREDENTIAL_HEADER = /((?:cookie|set-cookie|x-api-key|proxy-authorization|x-auth-token)"?\s*[:=]\s*"?)[^\r\n"]+/gi

/** The spans of credential-shaped values in a decoded text, whoever's they are. */
function credentialValues(text: string): Spans {
  const spans: Spans = []
  for (const match of text.matchAll(AUTHORIZATION)) {
    const start = (match.index ?? 0) + match[1].length
    spans.push([start, start + match[2].length])
  }
  for (const match of text.matchAll(OAUTH_SECRET_PARAM)) {
    const start = (match.index ?? 0) + match[1].length + match[2].length
    spans.push([start, start + match[3].length])
  }
  for (const match of text.matchAll(CREDENTIAL_HEADER)) {
    const start = (match.index ?? 0) + match[1].length
    spans.push([start, (match.index ?? 0) + match[0].length])
  }
  return spans
}

// Token characters: base64 and its URL-safe alphabet, = only as padding at the end (so that
// name=value pairs stay apart).
const TOKEN_CHARS = /[A-Za-z0-9+/_-]+={0,2}/g
// A URL up to its query: host and /-joined words of a path, where no credential travels.
const URL_PATH = /\b[a-z][a-z0-9+.-]*:\/\/[^\s?#&"'<>@]*(?=[\s?#&"'<>]|$)/gi

/** Runs of 32 or more token characters outside URL paths, by start: nothing Jira says needs them. */
function tokenRuns(text: string): Map<number, number> {
  const inPath = new Array<boolean>(text.length).fill(false)
  for (const match of text.matchAll(URL_PATH)) inPath.fill(true, match.index ?? 0, (match.index ?? 0) + match[0].length)
  const runs = new Map<number, number>()
  for (const match of text.matchAll(TOKEN_CHARS)) {
    const start = match.index ?? 0
    if (match[0].length < TOKEN_RUN) continue
    if (inPath[start] && inPath[start + match[0].length - 1]) continue
    runs.set(start, match[0].length)
  }
  return runs
}

/** A text cut to `max` characters (never inside a surrogate pair), with … when cut. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text
  let end = Math.max(0, max - 1)
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1])) end--
  return `${text.slice(0, end)}…`
}
