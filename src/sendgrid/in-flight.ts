// At most so many requests on the wire at once, across every stage of a run: a fan-out of many
// segments must not look like a burst to SendGrid's per-account limit.

/** SendGrid lets one Single Send go to at most 10 segments, and a run refreshes at most 10. */
export const maxInFlight = 10

export class InFlightLimit {
  private running = 0
  private readonly queue: Array<() => void> = []

  constructor(private readonly most: number = maxInFlight) {}

  /** Runs `work` once fewer than `most` others are running; callers are served in arrival order. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.most) await new Promise<void>((go) => this.queue.push(go))
    else this.running++
    try {
      return await work()
    } finally {
      const next = this.queue.shift()
      // The place passes straight to the next caller; the count stays as it is.
      if (next) next()
      else this.running--
    }
  }
}
