/**
 * The one redaction step for text that came from Jira or the network. Proxies, WAFs and error
 * pages echo requests back, Authorization header included, and Jira's own signature_invalid
 * answer carries the token percent-encoded twice; a log masks only the raw values it was told.
 */

/** Percent-encoding of RFC 3986 (what OAuth and Jira's base string use). */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * Every form in which this tool itself may have sent a secret, so every form an echo can
 * carry: raw, percent-encoded once and twice (lower-case hex too), and form-encoded.
 */
export function derivedForms(secret: string): string[] {
  const once = percentEncode(secret)
  const twice = percentEncode(once)
  const forms = new Set([secret, once, twice, once.toLowerCase(), twice.toLowerCase(), new URLSearchParams({ s: secret }).toString().slice(2)])
  return [...forms].filter(form => form.length >= 4)
}

// A header value that carries credentials, wherever an echo prints it: "Authorization: Basic …",
// "authorization=Bearer …", JSON "authorization":"OAuth …".
const AUTHORIZATION = /(authorization"?\s*[:=]\s*"?)(Bearer|Basic|OAuth|Token)\s+[^\r\n"]*/gi
// OAuth parameters that are secrets or prove possession of one, in header form (name="value"),
// form encoding (name=value) and percent-encoded once, twice or more (name%3Dvalue, name%253D…).
const OAUTH_SECRET_PARAM = /\b(oauth_(?:token_secret|token|signature|verifier|session_handle))(="?|%(?:25)*3D)((?:(?!%(?:25)*26)[^&"\s,;<])+)/g

/** Removes secrets from text before anything prints it. */
export class Redactor {
  private forms: string[] = []

  /** `secrets` are the raw values; their derived forms are found here. */
  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret)
  }

  /**
   * Adds a secret learnt during the run, such as an access token just issued, and returns its
   * new forms for the runner's masking.
   */
  add(secret: string): string[] {
    const added = derivedForms(secret.trim()).filter(form => !this.forms.includes(form))
    // Longest first, so a secret that contains another is replaced whole.
    this.forms = [...this.forms, ...added].sort((a, b) => b.length - a.length)
    return added
  }

  /** Every derived form, for the runner's masking (core.setSecret). */
  get maskable(): readonly string[] {
    return this.forms
  }

  /** The text with every known secret form and every credential-shaped value replaced by ***. */
  redact(text: string): string {
    let clean = text
    for (const form of this.forms) clean = clean.split(form).join('***')
    return clean.replace(AUTHORIZATION, '$1$2 ***').replace(OAUTH_SECRET_PARAM, '$1$2***')
  }

  /** redact() and cut to `max` characters, for excerpts of answers. */
  excerpt(text: string, max = EXCERPT_CHARS): string {
    const clean = this.redact(text)
    return clean.length > max ? `${clean.slice(0, max)}…` : clean
  }
}

/** How much of an answer an error message quotes at most. */
export const EXCERPT_CHARS = 300
