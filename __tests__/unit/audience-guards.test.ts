// The audience guards: a ready segment must also look right to send to.
import { describe, expect, it } from '@jest/globals'
import { changePercent, checkAudience } from '../../src/run/audience-guards.js'
import { isReady, newResult, notReadyReason, type SegmentResult } from '../../src/run/results.js'

const guards = {
  minContacts: 0,
  maxContactsChangePercent: null as number | null,
  failUnlessReady: false
}
const ready = (fields: Partial<SegmentResult> = {}): SegmentResult =>
  newResult('s-1', 'Spring sale', {
    outcome: 'refreshed',
    httpStatus: 202,
    annotation: null,
    reason: 'refreshed and recomputed',
    message: 'Segment "Spring sale" (s-1) refreshed and recomputed.',
    recomputed: true,
    contactsCount: 0,
    ...fields
  })

describe('checkAudience', () => {
  it('leaves everything as it was when both guards are off', () => {
    const result = ready()
    expect(checkAudience(result, guards, { countBefore: 1200 })).toBe(result)
  })

  it('stops 1,200 → 0 under min-contacts: 1, with an error under fail-unless-ready', () => {
    const checked = checkAudience(
      ready(),
      { ...guards, minContacts: 1, failUnlessReady: true },
      { countBefore: 1200 }
    )
    expect(isReady(checked)).toBe(false)
    expect(notReadyReason(checked)).toBe('too_few_contacts')
    expect(checked).toMatchObject({
      outcome: 'refreshed',
      annotation: 'error',
      reason: '0 contacts after its recompute, fewer than min-contacts (1)',
      audienceProblem: {
        kind: 'too_few_contacts',
        sentence:
          '"Spring sale" has 0 contacts after its recompute, fewer than min-contacts (1): not ready. Check the contact import and the segment\'s conditions before sending.'
      }
    })
    expect(checked.message).toBe(
      'Segment "Spring sale" (s-1) has 0 contacts after its recompute, fewer than min-contacts (1): not ready. Check the contact import and the segment\'s conditions before sending. Segment "Spring sale" (s-1) refreshed and recomputed.'
    )
  })

  it('is a warning without fail-unless-ready, and counts a fresh segment as last counted', () => {
    const fresh = ready({ outcome: 'fresh', recomputed: false, contactsCount: 9 })
    const checked = checkAudience(fresh, { ...guards, minContacts: 10 })
    expect(checked.annotation).toBe('warning')
    expect(checked.reason).toBe(
      '9 contacts as SendGrid last counted it, fewer than min-contacts (10)'
    )
    expect(checkAudience(ready({ contactsCount: 10 }), { ...guards, minContacts: 10 })).toEqual(
      ready({ contactsCount: 10 })
    )
  })

  it('fails min-contacts when the count could not be read', () => {
    const checked = checkAudience(ready({ contactsCount: null }), { ...guards, minContacts: 1 })
    expect(checked.audienceProblem?.kind).toBe('too_few_contacts')
    expect(checked.reason).toBe('contacts count unknown, so min-contacts (1) is not met')
    expect(checked.audienceProblem?.sentence).toMatch(/^"Spring sale" could not be counted/)
  })

  it('stops 1,000 → 3,000 under max-contacts-change-percent: 50, and lets +20% through', () => {
    const limit = { ...guards, maxContactsChangePercent: 50 }
    const exploded = checkAudience(ready({ contactsCount: 3000 }), limit, { countBefore: 1000 })
    expect(notReadyReason(exploded)).toBe('contacts_changed')
    expect(exploded.audienceProblem?.sentence).toBe(
      '"Spring sale" went from 1,000 to 3,000 contacts (+200%) in its recompute, more than max-contacts-change-percent (50): not ready. Check its conditions before sending.'
    )
    expect(exploded.message).toBe(
      'Segment "Spring sale" (s-1) went from 1,000 to 3,000 contacts (+200%) in its recompute, more than max-contacts-change-percent (50): not ready. Check its conditions before sending. Segment "Spring sale" (s-1) refreshed and recomputed.'
    )
    expect(exploded.reason).toBe(
      '+200% contacts in its recompute (1,000 → 3,000), more than max-contacts-change-percent (50)'
    )
    const grown = ready({ contactsCount: 1200 })
    expect(checkAudience(grown, limit, { countBefore: 1000 })).toBe(grown)
    const shrunk = checkAudience(ready({ contactsCount: 400 }), limit, { countBefore: 1000 })
    expect(shrunk.audienceProblem?.sentence).toContain('(−60%)')
    // Only a change strictly greater than the setting fails, in whole percent.
    expect(
      checkAudience(ready({ contactsCount: 1500 }), limit, { countBefore: 1000 }).audienceProblem
    ).toBeNull()
    expect(
      checkAudience(ready({ contactsCount: 1504 }), limit, { countBefore: 1000 }).audienceProblem
    ).toBeNull()
    expect(
      checkAudience(ready({ contactsCount: 1505 }), limit, { countBefore: 1000 }).audienceProblem
        ?.kind
    ).toBe('contacts_changed')
  })

  it('judges min-contacts before the change', () => {
    const both = checkAudience(
      ready({ contactsCount: 0 }),
      { ...guards, minContacts: 1, maxContactsChangePercent: 50 },
      { countBefore: 1200 }
    )
    expect(both.audienceProblem?.kind).toBe('too_few_contacts')
  })

  it('judges no change without a count before, or from 0, and says only min-contacts applies', () => {
    const limit = { ...guards, maxContactsChangePercent: 50 }
    const noBefore = checkAudience(ready({ contactsCount: 10 }), limit, { countBefore: null })
    expect(noBefore.audienceProblem).toBeNull()
    expect(noBefore.message).toMatch(
      /Its change in contacts is not judged \(no count was read before the refresh\), so only min-contacts applies\.$/
    )
    expect(
      checkAudience(ready({ contactsCount: 10 }), limit, { countBefore: 0 }).message
    ).toContain('(it had 0 contacts before)')
    expect(
      checkAudience(ready({ contactsCount: null }), limit, { countBefore: 5 }).message
    ).toContain('(its count after the recompute could not be read)')
    // A fresh segment saw no recompute in this run: no change is judged, and nothing is said.
    const fresh = ready({ outcome: 'fresh', recomputed: false, contactsCount: 3 })
    expect(checkAudience(fresh, limit)).toBe(fresh)
  })

  it('leaves a segment that is not otherwise ready alone', () => {
    for (const fields of [
      { recomputed: false },
      { outcome: 'rate_limited' as const },
      { outcome: 'failed' as const }
    ]) {
      const result = ready(fields)
      expect(checkAudience(result, { ...guards, minContacts: 5 })).toBe(result)
    }
  })
})

describe('changePercent', () => {
  it('is the difference over the count before, rounded to whole percent either way', () => {
    expect(changePercent(1000, 3000)).toBe(200)
    expect(changePercent(1000, 400)).toBe(-60)
    expect(changePercent(1000, 1005)).toBe(1)
    expect(changePercent(1000, 995)).toBe(-1)
    expect(changePercent(1000, 1000)).toBe(0)
  })
})
