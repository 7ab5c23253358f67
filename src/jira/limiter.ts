/**
 * An adaptive limit on requests in flight, shared by every request of a client: Jira's rate
 * limits (Cloud's burst limit, Data Center's per-user limit) count requests of the whole run,
 * whoever schedules them. On a 429 the limit halves and every request waits until the time the
 * answer named; after a run of answers without one it rises again, one step at a time.
 */

/** A slot taken for one request, and when it was sent. */
export interface Slot {
  readonly sentAt: number
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
  /** The lowest limit reached. */
  lowest: number
  /** The limit now. */
  limit: number
}

/** The most requests in flight when nothing says less; the concurrency input stops at 16 too. */
export const MAX_IN_FLIGHT = 16

export class RateLimiter {
  private limit: number
  private inFlight = 0
  private readonly waiting: Array<() => void> = []
  /** No request is sent before this time: the latest Retry-After or X-RateLimit-Reset. */
  private notBefore = 0
  /** When the limit was last lowered: a 429 to a request sent before then is already answered for. */
  private loweredAt = Number.NEGATIVE_INFINITY
  private sinceLimited = 0
  private limitedCount = 0
  private lowest: number

  constructor(
    private readonly clock: LimiterClock,
    private readonly max = MAX_IN_FLIGHT
  ) {
    this.limit = max
    this.lowest = max
  }

  get stats(): LimiterStats {
    return { limited: this.limitedCount, lowest: this.lowest, limit: this.limit }
  }

  /**
   * Waits for a slot within the limit, then for the time the last 429 named. Rejects, holding
   * nothing, when the signal aborts during the wait.
   */
  async acquire(signal?: AbortSignal): Promise<Slot> {
    while (this.inFlight >= this.limit) await new Promise<void>(resolve => this.waiting.push(resolve))
    this.inFlight++
    try {
      // The time named may move on while waiting: another 429 arrived meanwhile.
      for (let wait = this.notBefore - this.clock.now(); wait > 0; wait = this.notBefore - this.clock.now()) await this.clock.sleep(wait, signal)
    } catch (thrown) {
      this.free()
      throw thrown
    }
    return { sentAt: this.clock.now() }
  }

  /** Gives the slot back after an answer other than 429, or after a failure to get one. */
  release(_slot: Slot): void {
    this.free()
    // Raised slowly: one more after twice the limit's worth of answers without a 429.
    if (++this.sinceLimited >= 2 * this.limit && this.limit < this.max) {
      this.limit++
      this.sinceLimited = 0
      this.wake()
    }
  }

  /**
   * Gives the slot back after a 429: nothing is sent before `retryAt`, and the limit halves,
   * once for all the requests that were already in flight when the first 429 came.
   */
  limited(slot: Slot, retryAt: number): void {
    this.limitedCount++
    this.sinceLimited = 0
    this.notBefore = Math.max(this.notBefore, retryAt)
    if (slot.sentAt >= this.loweredAt) {
      this.limit = Math.max(1, Math.floor(Math.min(this.limit, this.inFlight) / 2))
      this.lowest = Math.min(this.lowest, this.limit)
      this.loweredAt = this.clock.now()
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
