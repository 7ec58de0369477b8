// The run's record, and the report written from a run cut short: whatever ends the run, every
// segment it knew of is there, and every refresh it spent.
import { describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { listenForCancel, untilDoneOrCancelled } from '../../src/run/cancellation.js'
import { newResult, noAnswerBeforeTheEnd, type SegmentResult } from '../../src/run/results.js'
import { countsLine, cutShortSentence } from '../../src/report/sentences.js'
import { RunRecord } from '../../src/run/record.js'
import { newTarget } from '../../src/stages/targets.js'

const refreshed = (id: string, name: string | null, fields: Partial<SegmentResult> = {}) =>
  newResult(id, name, {
    outcome: 'refreshed',
    httpStatus: 202,
    jobId: `job-${id}`,
    annotation: null,
    reason: 'refresh accepted; SendGrid is recomputing it',
    message: `${name ?? id} refresh accepted (job job-${id}).`,
    ...fields
  })

function recordOf() {
  const record = new RunRecord()
  const targets = [newTarget('s-1', 'Spring'), newTarget('s-2', 'VIP'), newTarget('s-3')]
  targets[1].singleSendIds.push('c-1')
  record.knowTargets(targets)
  return record
}

describe('RunRecord', () => {
  it('is empty until it knows segments or contact jobs', () => {
    const record = new RunRecord()
    expect(record.isEmpty).toBe(true)
    expect(record.outcome('cancelled', false)).toEqual({
      results: [],
      singleSends: [],
      contacts: undefined,
      end: 'cancelled'
    })
    record.knowContacts([])
    expect(record.isEmpty).toBe(false)
    expect(recordOf().isEmpty).toBe(false)
  })

  it('gives every segment in order with its Single Sends; a done run leaves out what has no result', () => {
    const record = recordOf()
    record.answered(refreshed('s-2', 'VIP'))
    record.knowResults([refreshed('s-1', 'Spring', { outcome: 'fresh' })])
    const { results, end } = record.outcome('done', true)
    expect(end).toBe('done')
    expect(results.map((r) => [r.segmentId, r.outcome, r.singleSendIds])).toEqual([
      ['s-1', 'fresh', []],
      ['s-2', 'refreshed', ['c-1']]
    ])
    expect(results[1].message).toBe('VIP refresh accepted (job job-s-2).')
  })

  it('at a cancel: refreshed stays refreshed, unsent is cancelled, unanswered may have landed', () => {
    const record = recordOf()
    record.sending('s-1')
    record.sending('s-2')
    record.answered(refreshed('s-2', 'VIP'))
    const { results } = record.outcome('cancelled', true)
    expect(results.map((r) => [r.segmentId, r.outcome, r.jobId, r.annotation])).toEqual([
      ['s-1', 'failed', null, null],
      ['s-2', 'refreshed', 'job-s-2', null],
      ['s-3', 'cancelled', null, null]
    ])
    expect(results[0]).toMatchObject({
      reason: noAnswerBeforeTheEnd,
      message:
        'Segment "Spring" (s-1): its refresh request was sent, but SendGrid had not answered when the run was cancelled. SendGrid may already have accepted that refresh; check the segment before refreshing it again.'
    })
    expect(results[1]).toMatchObject({
      reason: 'refresh accepted; the run was cancelled before SendGrid had finished recomputing it',
      message:
        'VIP refresh accepted (job job-s-2). The run was cancelled before SendGrid had finished recomputing it: it may still be recomputing; do not send to it until it has.'
    })
    expect(results[2]).toMatchObject({
      reason: 'not refreshed: the run was cancelled first; no budget spent',
      message:
        'Segment s-3 was not refreshed: the run was cancelled before its refresh was sent. No refresh request was sent, so no budget was spent.'
    })
  })

  it('says nothing of recomputing without wait, or once recomputed', () => {
    const record = recordOf()
    record.answered(refreshed('s-1', 'Spring'))
    record.answered(refreshed('s-2', 'VIP', { recomputed: true }))
    const [spring, vip] = record.outcome('cancelled', false).results
    expect(spring.message).toBe('Spring refresh accepted (job job-s-1).')
    expect(record.outcome('cancelled', true).results[1].message).toBe(vip.message)
    expect(record.outcome('cancelled', true).results[0].message).toContain('cancelled before')
    const failed = refreshed('s-3', null, { outcome: 'failed' })
    record.answered(failed)
    expect(record.outcome('cancelled', true).results[2]).toEqual({ ...failed, singleSendIds: [] })
  })

  it('at an unexpected error, names the error, and fails what was not reached', () => {
    const record = recordOf()
    record.sending('s-1')
    const { results } = record.outcome('error', true)
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed'])
    expect(results[0].message).toContain(
      'SendGrid had not answered when the run stopped on an unexpected error.'
    )
    expect(results[1].reason).toBe(
      'not refreshed: the run stopped on an unexpected error first; no budget spent'
    )
  })

  it('learns nothing after it is closed', () => {
    const record = recordOf()
    record.knowSingleSends([])
    record.close()
    record.sending('s-1')
    record.answered(refreshed('s-1', 'Spring'))
    record.knowTargets([])
    record.knowContacts([])
    record.knowSingleSends([{ id: 'c' } as never])
    const outcome = record.outcome('cancelled', false)
    expect(outcome.results.map((r) => r.outcome)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect(outcome.contacts).toBeUndefined()
    expect(outcome.singleSends).toEqual([])
  })
})

describe('countsLine', () => {
  it('counts cancelled segments only when there are any', () => {
    const cancelledOne = newResult('c', null, {
      outcome: 'cancelled',
      httpStatus: null,
      annotation: null,
      reason: '',
      message: ''
    })
    expect(
      countsLine([refreshed('a', 'A'), cancelledOne, { ...cancelledOne, segmentId: 'd' }])
    ).toBe('1 refreshed, 0 fresh, 0 rate-limited, 0 failed, 2 cancelled')
    expect(countsLine([refreshed('a', 'A')])).toBe('1 refreshed, 0 fresh, 0 rate-limited, 0 failed')
  })
})

describe('cutShortSentence', () => {
  const cancelled = (id: string) =>
    newResult(id, null, {
      outcome: 'cancelled',
      httpStatus: null,
      annotation: null,
      reason: '',
      message: ''
    })
  const unanswered = (id: string) => ({
    ...cancelled(id),
    outcome: 'failed' as const,
    reason: noAnswerBeforeTheEnd
  })

  it('says what was spent, then what was not', () => {
    expect(
      cutShortSentence(
        [refreshed('a', 'Spring sale'), refreshed('b', 'VIP customers'), cancelled('c')],
        'cancelled'
      )
    ).toBe(
      'Cancelled after 2 refreshes: "Spring sale" and "VIP customers" were refreshed; SendGrid may still be recomputing them. 1 segment was not refreshed.'
    )
  })

  it('names only those still recomputing, and none when all are done', () => {
    const done = refreshed('a', 'A', { recomputed: true })
    expect(cutShortSentence([done, refreshed('b', 'B'), refreshed('c', 'C')], 'cancelled')).toBe(
      'Cancelled after 3 refreshes: "A", "B" and "C" were refreshed; SendGrid may still be recomputing "B" and "C".'
    )
    expect(cutShortSentence([done], 'error')).toBe(
      'Stopped by an unexpected error after 1 refresh: "A" was refreshed and recomputed.'
    )
    expect(cutShortSentence([refreshed('b', 'B')], 'cancelled')).toBe(
      'Cancelled after 1 refresh: "B" was refreshed; SendGrid may still be recomputing it.'
    )
  })

  it('says when nothing was spent, and which refreshes may have been', () => {
    expect(cutShortSentence([cancelled('a'), cancelled('b')], 'cancelled')).toBe(
      'Cancelled before SendGrid accepted any refresh. 2 segments were not refreshed.'
    )
    expect(cutShortSentence([unanswered('a'), unanswered('b')], 'cancelled')).toBe(
      'Cancelled before SendGrid accepted any refresh. The refresh of a and b had no answer yet; SendGrid may already have accepted it.'
    )
  })
})

describe('listenForCancel', () => {
  it('aborts at the first signal of any kind, and tells of a second', async () => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP']) {
      const target = new EventEmitter()
      const exits: number[] = []
      const cancellation = listenForCancel(target, () => exits.push(1))
      expect(cancellation.signal.aborted).toBe(false)
      target.emit(name)
      expect(cancellation.signal.aborted).toBe(true)
      await cancellation.requested
      let again = false
      void cancellation.again.then(() => (again = true))
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(again).toBe(false)
      target.emit('SIGINT')
      await cancellation.again
      cancellation.dispose()
      expect(target.listenerCount(name)).toBe(0)
      expect(target.listenerCount('SIGINT')).toBe(0)
    }
  })

  it('listens on the process itself by default', () => {
    const before = process.listenerCount('SIGTERM')
    const cancellation = listenForCancel()
    expect(process.listenerCount('SIGTERM')).toBe(before + 1)
    cancellation.dispose()
    expect(process.listenerCount('SIGTERM')).toBe(before)
  })

  it('ends the process soon after a signal if something still holds it, and only then', async () => {
    const quiet = new EventEmitter()
    const signalled = new EventEmitter()
    const exits: string[] = []
    listenForCancel(quiet, () => exits.push('quiet')).dispose()
    expect(quiet.eventNames()).toEqual([])
    const cancellation = listenForCancel(signalled, () => exits.push('signalled'))
    signalled.emit('SIGINT')
    cancellation.dispose()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(exits).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(exits).toEqual(['signalled'])
  })
})

describe('untilDoneOrCancelled', () => {
  const never = new Promise<void>(() => {})
  // Well under the 5 s grace, with room for a worker starved of CPU (a 50 ms timer once took 3.1 s).
  const wellUnderGraceMs = 4000
  it('is done when the work ends first, without waiting', async () => {
    const started = Date.now()
    expect(
      await untilDoneOrCancelled(Promise.resolve(), { requested: never, again: never }, 5000)
    ).toBe('done')
    expect(Date.now() - started).toBeLessThan(wellUnderGraceMs)
  })

  it('passes on an error of the work', async () => {
    await expect(
      untilDoneOrCancelled(Promise.reject(new Error('boom')), { requested: never, again: never })
    ).rejects.toThrow('boom')
  })

  it('gives work on the wire the grace, no longer, and less on a second signal', async () => {
    const cancelledNow = { requested: Promise.resolve(), again: never }
    let started = Date.now()
    expect(await untilDoneOrCancelled(never, cancelledNow, 300)).toBe('cancelled')
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    started = Date.now()
    const ending = new Promise((resolve) => setTimeout(resolve, 50))
    expect(await untilDoneOrCancelled(ending, cancelledNow, 5000)).toBe('cancelled')
    expect(Date.now() - started).toBeLessThan(wellUnderGraceMs)
    started = Date.now()
    expect(
      await untilDoneOrCancelled(
        never,
        { requested: Promise.resolve(), again: Promise.resolve() },
        5000
      )
    ).toBe('cancelled')
    expect(Date.now() - started).toBeLessThan(wellUnderGraceMs)
    const failing = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('after the signal')), 20)
    )
    expect(
      await untilDoneOrCancelled(failing, { requested: Promise.resolve(), again: never }, 5000)
    ).toBe('cancelled')
  })
})

describe("RunRecord's count of waits for the rate limit", () => {
  it('reports the count as it stands when the outcome is taken, and none when never watched', () => {
    const record = new RunRecord()
    expect(record.outcome('done', false)).not.toHaveProperty('slowDowns')
    const slowDowns = { times: 0, waitedMs: 0 }
    record.watchSlowDowns(slowDowns)
    slowDowns.times = 2
    slowDowns.waitedMs = 1500
    const outcome = record.outcome('done', false)
    expect(outcome.slowDowns).toEqual({ times: 2, waitedMs: 1500 })
    slowDowns.times = 3
    expect(outcome.slowDowns).toEqual({ times: 2, waitedMs: 1500 })
  })
})
