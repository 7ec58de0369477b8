// The one record of a run, which each stage adds to as it goes: the segments and campaigns it
// resolved, the contact jobs it read, each refresh it sent, each answer and each recompute. The
// outputs and the summary are written from it at whatever end the run comes to (done, cancelled,
// an unexpected error), so a spent refresh is never invisible.
import type { ContactJob, ContactsFirst } from '../stages/contact-jobs.js'
import {
  newResult,
  noAnswerBeforeTheEnd,
  segmentLabel,
  type RefreshLog,
  type SegmentResult
} from './results.js'
import type { ServedSingleSend } from '../stages/single-sends.js'
import type { SlowDowns } from '../sendgrid/rate-limit.js'
import type { Target } from '../stages/targets.js'

/** How a run ended: every stage done, cut short by a signal, or stopped by an unexpected error. */
export type RunEnd = 'done' | 'cancelled' | 'error'

/** What a run did: every segment's result, the Single Sends it acted on, and its contact jobs. */
export interface RunOutcome {
  results: SegmentResult[]
  singleSends: ServedSingleSend[]
  contacts?: ContactsFirst
  /** How it ended; `done` when not said. */
  end?: RunEnd
  /** How often SendGrid's rate limit made the run wait, and how long; absent when never known. */
  slowDowns?: SlowDowns
}

export class RunRecord implements RefreshLog {
  private targets: Target[] = []
  private singleSends: ServedSingleSend[] = []
  private contacts: ContactsFirst | undefined
  private slowDowns: SlowDowns | undefined
  private readonly results = new Map<string, SegmentResult>()
  private readonly onTheWire = new Set<string>()
  private closed = false

  /** The segments the run knows of, in the order they were given in. */
  knowTargets(targets: Target[]): void {
    if (!this.closed) this.targets = targets
  }

  knowSingleSends(singleSends: ServedSingleSend[]): void {
    if (!this.closed) this.singleSends = singleSends
  }

  knowContacts(jobs: ContactJob[], landedAt: number | null = null): void {
    if (!this.closed) this.contacts = { jobs, landedAt }
  }

  /** The client's count of waits for the rate limit, read when the report is written. */
  watchSlowDowns(slowDowns: SlowDowns): void {
    this.slowDowns = slowDowns
  }

  /** What is known of a segment without (or before) a refresh. */
  knowResults(results: SegmentResult[]): void {
    for (const result of results) this.answered(result)
  }

  sending(segmentId: string): void {
    if (!this.closed) this.onTheWire.add(segmentId)
  }

  answered(result: SegmentResult): void {
    if (this.closed) return
    this.onTheWire.delete(result.segmentId)
    this.results.set(result.segmentId, result)
  }

  /** Whether anything that reaches the outputs is known yet. */
  get isEmpty(): boolean {
    return this.targets.length === 0 && this.contacts === undefined
  }

  /** Nothing learnt after this reaches the report: the outputs and the summary say the same. */
  close(): void {
    this.closed = true
  }

  /**
   * Every known segment in order, each with its Single Sends. At a cut-short end, a segment with no
   * result says why, and one whose refresh had no answer says SendGrid may have accepted it.
   */
  outcome(end: RunEnd, waiting: boolean): RunOutcome {
    const results = this.targets.flatMap((target) => {
      const known = this.results.get(target.segmentId)
      const result = known
        ? cutShort(known, end, waiting)
        : end === 'done'
          ? null
          : this.onTheWire.has(target.segmentId)
            ? unanswered(target, end)
            : notReached(target, end)
      return result ? [{ ...result, singleSendIds: target.singleSendIds }] : []
    })
    const slowDowns = this.slowDowns && { ...this.slowDowns }
    return {
      results,
      singleSends: this.singleSends,
      contacts: this.contacts,
      end,
      ...(slowDowns ? { slowDowns } : {})
    }
  }
}

const howItEnded = (end: RunEnd): string =>
  end === 'cancelled' ? 'the run was cancelled' : 'the run stopped on an unexpected error'

function notReached(target: Target, end: RunEnd): SegmentResult {
  const label = segmentLabel(target.segmentId, target.segmentName)
  return newResult(target.segmentId, target.segmentName, {
    outcome: end === 'cancelled' ? 'cancelled' : 'failed',
    httpStatus: null,
    // The end itself carries the annotation; one per segment would repeat it.
    annotation: null,
    reason: `not refreshed: ${howItEnded(end)} first; no budget spent`,
    message: `${label} was not refreshed: ${howItEnded(end)} before its refresh was sent. No refresh request was sent, so no budget was spent.`
  })
}

function unanswered(target: Target, end: RunEnd): SegmentResult {
  const label = segmentLabel(target.segmentId, target.segmentName)
  return newResult(target.segmentId, target.segmentName, {
    outcome: 'failed',
    httpStatus: null,
    annotation: null,
    reason: noAnswerBeforeTheEnd,
    message: `${label}: its refresh request was sent, but SendGrid had not answered when ${howItEnded(end)}. SendGrid may already have accepted that refresh; check the segment before refreshing it again.`
  })
}

/** A refresh accepted but not yet seen recomputed, at an end that stopped the wait for it. */
function cutShort(result: SegmentResult, end: RunEnd, waiting: boolean): SegmentResult {
  if (end === 'done' || !waiting || result.outcome !== 'refreshed' || result.recomputed)
    return result
  return {
    ...result,
    reason: `refresh accepted; ${howItEnded(end)} before SendGrid had finished recomputing it`,
    message: `${result.message} ${howItEnded(end).replace(/^t/, 'T')} before SendGrid had finished recomputing it: it may still be recomputing; do not send to it until it has.`
  }
}
