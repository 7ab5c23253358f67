/**
 * An adaptive limit shared by every request of a client: Jira's rate limits (Cloud's burst
 * limit, Data Center's per-user limit) count the requests of the whole run, whoever schedules
 * them. Nothing is limited until Jira answers 429. Then every request waits until the time the
 * answer named, fewer go at once (the limit halves), and sends are spaced by the pace Jira was
 * accepting. After a run of answers without a 429, the limit rises and the spacing shrinks
 * again, one small step at a time.
 */

/** A slot taken for one request, and when it was sent. */
export interface Slot {
  /** The order in which slots were taken. */
  readonly serial: number
}

/** How the limiter reads time and waits; the client's retry policy supplies both. */
export interface LimiterClock {
  now: () => number
  /** Rejects when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** What a run's limiter went through, for the log and the benchmark. */
export interface LimiterStats {
  /** Answers 429 seen. */
  limited: number
  /** The lowest limit of requests in flight reached. */
  lowest: number
  /** The limit now. */
  limit: number
  /** The spacing between sends now, in milliseconds (0: none). */
  spacingMs: number
}

/** The most requests in flight when nothing says less; the concurrency input stops at 16 too. */
export const MAX_IN_FLIGHT = 16
/** Answers without a 429 before the limit rises by one and the spacing shrinks a step. */
const RISE_AFTER = 8
/** Each step up sends a twentieth faster; each 429 spaces sends half as far again. */
const SPACING_SHRINK = 0.95
const SPACING_GROWTH = 1.5
/** How far above a spacing that met a 429 the spacing stays: probing that pace again only costs more 429s. */
const TOO_CLOSE_MARGIN = 1.05
/**
 * The pace learnt at a 429 is widened by this much: the requests counted in the last second
 * include the burst Jira allowed at first, so they overstate the pace it allows from then on.
 */
const LEARN_MARGIN = 1.3
/** Spacing is learnt from at most this much time: a 429 names the wait for one request, not a pace. */
const MAX_SPACING_MS = 1000
/** How far back accepted requests are counted to learn the pace Jira allows. */
const PACE_WINDOW_MS = 1000

export class RateLimiter {
  private limit: number
  private inFlight = 0
  private readonly waiting: Array<() => void> = []
  /** No request is sent before this time: the latest Retry-After or X-RateLimit-Reset. */
  private notBefore = 0
  /** The earliest time the next request may be sent, given the spacing. */
  private nextSendAt = 0
  private spacing = 0
  /** The spacing a 429 last came at: too close, so the spacing never narrows to it again. */
  private tooClose = 0
  /** Slots taken so far; a 429 to a slot taken before the last lowering is already answered for. */
  private serial = 0
  private loweredAtSerial = -1
  private sinceLimited = 0
  private limitedCount = 0
  private lowest: number
  /** When recent accepted answers came, to learn the pace Jira allows. */
  private accepted: number[] = []

  constructor(
    private readonly clock: LimiterClock,
    private readonly max = MAX_IN_FLIGHT
  ) {
    this.limit = max
    this.lowest = max
  }

  get stats(): LimiterStats {
    return { limited: this.limitedCount, lowest: this.lowest, limit: this.limit, spacingMs: Math.round(this.spacing) }
  }

  /**
   * Waits for a slot within the limit, for the time the last 429 named, and for its turn in the
   * spacing. Rejects, holding nothing, when the signal aborts during the wait.
   */
  async acquire(signal?: AbortSignal): Promise<Slot> {
    while (this.inFlight >= this.limit) await new Promise<void>(resolve => this.waiting.push(resolve))
    this.inFlight++
    try {
      // The time named may move on while waiting: another 429 arrived meanwhile.
      for (let wait = this.notBefore - this.clock.now(); wait > 0; wait = this.notBefore - this.clock.now()) await this.clock.sleep(wait, signal)
      if (this.spacing > 0) {
        const now = this.clock.now()
        const at = Math.max(now, this.nextSendAt)
        this.nextSendAt = at + this.spacing
        if (at > now) await this.clock.sleep(at - now, signal)
      }
    } catch (thrown) {
      this.free()
      throw thrown
    }
    return { serial: this.serial++ }
  }

  /** Gives the slot back after an answer other than 429, or after a failure to get one. */
  release(_slot: Slot): void {
    const now = this.clock.now()
    this.accepted.push(now)
    while (this.accepted.length > 0 && this.accepted[0] <= now - PACE_WINDOW_MS) this.accepted.shift()
    this.free()
    if (++this.sinceLimited >= RISE_AFTER) {
      this.sinceLimited = 0
      if (this.limit < this.max) this.limit++
      const narrower = this.spacing * SPACING_SHRINK
      this.spacing = narrower < 1 ? 0 : Math.max(narrower, this.tooClose * TOO_CLOSE_MARGIN)
      this.wake()
    }
  }

  /**
   * Gives the slot back after a 429: nothing is sent before `retryAt`, and, once for all the
   * requests already in flight when the first 429 came, the limit halves and sends are spaced.
   */
  limited(slot: Slot, retryAt: number): void {
    const now = this.clock.now()
    this.limitedCount++
    this.sinceLimited = 0
    this.notBefore = Math.max(this.notBefore, retryAt)
    if (slot.serial >= this.loweredAtSerial) {
      this.limit = Math.max(1, Math.floor(Math.min(this.limit, this.inFlight) / 2))
      this.lowest = Math.min(this.lowest, this.limit)
      this.loweredAtSerial = this.serial
      // The pace Jira accepted over the last second, or the wait it named if that is shorter
      // (Cloud's X-RateLimit-Reset names when the next request is welcome).
      this.accepted = this.accepted.filter(at => at > now - PACE_WINDOW_MS)
      const pace = PACE_WINDOW_MS / Math.max(1, this.accepted.length)
      const learnt = Math.min(MAX_SPACING_MS, Math.max(1, retryAt - now), pace) * LEARN_MARGIN
      this.tooClose = Math.max(this.tooClose, this.spacing)
      this.spacing = Math.min(MAX_SPACING_MS, Math.max(this.spacing * SPACING_GROWTH, learnt))
      this.nextSendAt = Math.max(this.nextSendAt, this.notBefore)
    }
    this.free()
  }

  private free(): void {
    this.inFlight--
    this.wake()
  }

  /** Wakes every waiting request; each checks the limit again, so none goes over it (at most 16 wait). */
  private wake(): void {
    if (this.inFlight >= this.limit) return
    for (const resume of this.waiting.splice(0)) resume()
  }
}
