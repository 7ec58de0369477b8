// Property-based tests of everything that takes outside data: whatever arrives, the parsers give a
// typed answer or a named input problem, never a crash, and the time arithmetic holds in every zone.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parseNames, parseSegmentIds } from '../../src/inputs/lists.js'
import { InputProblem } from '../../src/inputs/problems.js'
import { parseTimeZone } from '../../src/inputs/time-zone.js'
import { oneLine } from '../../src/report/log.js'
import { nextMidnight } from '../../src/time/refresh-times.js'
import {
  describeErrorBody,
  pageIn,
  parseSegmentList,
  segmentIn,
  singleSendIn
} from '../../src/sendgrid/answers.js'

const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC']
const separator = fc.constantFrom(',', ' ', '\n', ', ', '\r\n', '\t', ' ,\n')
/** Any JSON value, and text that is almost JSON. */
const body = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ results: [v], result: [v], errors: [v], error: v })),
  fc.string(),
  fc.constant('')
)
const answer = (text: string) => ({
  kind: 'response' as const,
  status: 200,
  headers: {},
  body: text,
  attempts: 1,
  lostEarlierAttempt: false
})

describe('segment-ids', () => {
  it('keeps every UUID once, lower-cased, in order, whatever separates them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uuid({ version: 4 }), { minLength: 1, maxLength: 12 }),
        separator,
        (ids, sep) => {
          const mixed = ids.map((id, i) => (i % 2 ? id.toUpperCase() : id))
          const { unique } = parseSegmentIds([...mixed, ...mixed].join(sep))
          expect(unique).toEqual([...new Set(ids.map((id) => id.toLowerCase()))])
        }
      )
    )
  })

  it('names the input and the bad value for anything that is not a UUID', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => /\S/.test(s) && !/^[\s,]*$/.test(s)),
        (raw) => {
          try {
            const { unique } = parseSegmentIds(raw)
            for (const id of unique) expect(id).toMatch(/^[0-9a-f-]{36}$/)
          } catch (error) {
            expect(error).toBeInstanceOf(InputProblem)
            expect((error as InputProblem).input).toBe('segment-ids')
          }
        }
      )
    )
  })
})

describe('names inputs', () => {
  it('give trimmed, non-empty, single-line names, each once', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), separator, (lines, sep) => {
        const names = parseNames(lines.join(sep === '\r\n' ? '\r\n' : '\n'))
        expect(new Set(names).size).toBe(names.length)
        for (const name of names) {
          expect(name).toBe(name.trim())
          expect(name).not.toBe('')
          expect(name).not.toMatch(/[\r\n]/)
        }
      })
    )
  })
})

describe('time-zone', () => {
  it('accepts every IANA zone this Node knows, in any case, as its canonical name', () => {
    for (const zone of zones) {
      expect(parseTimeZone(zone)).toBe(zone)
      expect(parseTimeZone(zone.toUpperCase())).toBe(zone)
    }
  })

  it('answers anything else with a zone or a time-zone input problem, never a crash', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        try {
          expect(zones).toContain(parseTimeZone(raw))
        } catch (error) {
          expect(error).toBeInstanceOf(InputProblem)
          expect((error as InputProblem).input).toBe('time-zone')
        }
      })
    )
  })
})

describe("SendGrid's answers", () => {
  it('error bodies of any shape become one short sentence or nothing', () => {
    fc.assert(
      fc.property(body, (text) => {
        const said = describeErrorBody(text)
        if (said !== null) {
          expect(typeof said).toBe('string')
          expect(said.length).toBeLessThanOrEqual(300)
        }
      })
    )
  })

  it('segment reads, lists and Single Send pages are read defensively', () => {
    fc.assert(
      fc.property(body, (text) => {
        const segment = segmentIn(answer(text))
        if (segment) {
          for (const n of [segment.contactsCount, segment.refreshesUsed, segment.maxRefreshes])
            expect(n === null || Number.isInteger(n)).toBe(true)
          for (const s of [segment.name, segment.sampleUpdatedAt, segment.lastRefreshedAt])
            expect(s === null || (typeof s === 'string' && s !== '')).toBe(true)
        }
        for (const entry of parseSegmentList(text) ?? []) {
          expect(typeof entry.id).toBe('string')
          expect(typeof entry.name).toBe('string')
        }
        const page = pageIn(text)
        if (page) {
          expect(Array.isArray(page.items)).toBe(true)
          expect(page.nextToken === null || typeof page.nextToken === 'string').toBe(true)
        }
        const singleSend = singleSendIn(text)
        if (singleSend) {
          for (const id of [...singleSend.segmentIds, ...singleSend.listIds])
            expect(typeof id).toBe('string')
          expect(typeof singleSend.all).toBe('boolean')
        }
      })
    )
  })

  it('never turns outside text into more than one log line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(oneLine(text)).not.toMatch(/[\r\n\v\f\u0085\u2028\u2029]/)
      })
    )
  })
})

describe('nextMidnight', () => {
  const hour = 3_600_000
  const dateIn = (zone: string) => {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit'
    })
    return (t: number) => format.format(t)
  }

  /** The zone's offset from UTC at an instant, in milliseconds. */
  const offsetIn = (zone: string) => {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    return (t: number) => {
      const name = format.formatToParts(t).find((part) => part.type === 'timeZoneName')?.value ?? ''
      const [, sign, hours, minutes] = /^GMT(?:([+-])(\d\d):(\d\d))?/.exec(name) ?? []
      const size = (Number(hours ?? 0) * 60 + Number(minutes ?? 0)) * 60_000
      return sign === '-' ? -size : size
    }
  }

  it('is the first instant of a later local day, and a day lasts 24 hours plus what clocks fall back, in every zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true
        }),
        (zone, date) => {
          const now = date.getTime()
          const next = nextMidnight(now, zone)
          const day = dateIn(zone)
          const offset = offsetIn(zone)
          expect(next).toBeGreaterThan(now)
          expect(day(next) > day(now)).toBe(true)
          // Nothing before it is on a later day: not one second earlier, nor any quarter hour.
          expect(day(next - 1000) > day(now)).toBe(false)
          for (let t = now; t < next; t += hour / 4) expect(day(t) > day(now)).toBe(false)
          expect(next - now).toBeLessThanOrEqual(
            24 * hour + Math.max(0, offset(now) - offset(next))
          )
        }
      ),
      { numRuns: 2000 }
    )
  })
})
