import { describe, expect, it } from '@jest/globals'
import { newSegmentNote } from '../../src/time/segment-age.js'

const now = Date.parse('2026-11-27T13:17:40Z')

describe('newSegmentNote', () => {
  it('notes a segment created less than 30 minutes ago, and no other', () => {
    expect(newSegmentNote('VIP', '2026-11-27T12:48:00Z', 'Europe/Berlin', now)).toBe(
      'VIP was created at 13:48 Europe/Berlin, 29 minutes ago: SendGrid says segments built on engagement data take about 30 minutes to begin populating, so its count may still grow.'
    )
    expect(newSegmentNote('VIP', '2026-11-27T12:47:40Z', 'UTC', now)).toBeNull()
    expect(newSegmentNote('VIP', null, 'UTC', now)).toBeNull()
    expect(newSegmentNote('VIP', 'not a time', 'UTC', now)).toBeNull()
  })
})
