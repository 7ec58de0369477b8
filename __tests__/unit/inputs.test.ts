import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { parseNames, parseSegmentIds } from '../../src/inputs/lists.js'
import { getSettings, InvalidInputsError, type Settings } from '../../src/inputs/settings.js'
import { parseTimeZone } from '../../src/inputs/time-zone.js'

const id = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const otherId = '2688e03b-50aa-454a-97d1-e1530345a5ed'

function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  for (const [name, value] of Object.entries(inputs))
    process.env[`INPUT_${name.toUpperCase()}`] = value
}

function problemsFor(inputs: Record<string, string>): string[] {
  setInputs({ 'api-key': 'SG.key', 'segment-ids': id, ...inputs })
  try {
    getSettings()
  } catch (error) {
    if (error instanceof InvalidInputsError) return error.problems.map(String)
    throw error
  }
  return []
}

function settingsFor(inputs: Record<string, string>): Settings {
  setInputs({ 'api-key': 'SG.key', 'segment-ids': id, ...inputs })
  return getSettings()
}

let stdout: jest.SpiedFunction<typeof process.stdout.write>
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => {
  stdout.mockRestore()
  setInputs({})
})

describe('getSettings', () => {
  it('applies the documented defaults when only the required inputs are set', () => {
    expect(settingsFor({})).toEqual({
      apiKey: 'SG.key',
      segmentIds: [id],
      duplicateSegmentIds: [],
      segmentNames: [],
      singleSendIds: [],
      singleSendNames: [],
      singleSendsWithinMs: 0,
      contactJobIds: [],
      contactsSettleMs: 0,
      timeZone: 'UTC',
      userTimeZone: 'UTC',
      onRateLimit: 'warn',
      baseUrl: 'https://api.sendgrid.com',
      onBehalfOf: null,
      timeoutMs: 30_000,
      maxRetries: 2,
      readLimitWaitMs: 120_000,
      githubToken: '',
      dryRun: false,
      checkQuota: true,
      freshWithinMs: 0,
      wait: false,
      waitTimeoutMs: 600_000,
      waitIntervalMs: 15_000,
      failUnlessReady: false,
      timeZoneWarning: null,
      recomputedBy: 'sample_updated_at',
      minContacts: 0,
      maxContactsChangePercent: null
    })
  })

  it('masks the key before reading anything else', () => {
    settingsFor({ 'api-key': ' SG.secret-value ' })
    expect(String(stdout.mock.calls[0][0])).toBe('::add-mask::SG.secret-value\n')
  })

  it('reads every input', () => {
    const settings = settingsFor({
      'segment-names': 'Spring sale, EU\nVIP',
      'time-zone': 'america/chicago',
      'on-rate-limit': 'FAIL',
      'data-residency': 'eu',
      'on-behalf-of': 'emea-marketing',
      'timeout-seconds': '2.5',
      'max-retries': '0',
      'read-limit-wait-seconds': '0.5',
      'dry-run': 'True',
      'check-quota': 'false',
      'fresh-within-minutes': '7.5',
      wait: 'TRUE',
      'wait-timeout-seconds': '120',
      'wait-interval-seconds': '0.5',
      'recomputed-by': 'Last_Refreshed_At',
      'min-contacts': '10',
      'max-contacts-change-percent': '12.5'
    })
    expect(settings).toMatchObject({
      recomputedBy: 'last_refreshed_at',
      minContacts: 10,
      maxContactsChangePercent: 12.5,
      segmentNames: ['Spring sale, EU', 'VIP'],
      timeZone: 'America/Chicago',
      onRateLimit: 'fail',
      baseUrl: 'https://api.eu.sendgrid.com',
      onBehalfOf: 'emea-marketing',
      timeoutMs: 2500,
      maxRetries: 0,
      readLimitWaitMs: 500,
      dryRun: true,
      checkQuota: false,
      freshWithinMs: 450_000,
      wait: true,
      waitTimeoutMs: 120_000,
      waitIntervalMs: 500
    })
  })

  it.each([
    ['https://proxy.example.com/sendgrid/', 'https://proxy.example.com/sendgrid'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://127.0.0.9:3000', 'http://127.0.0.9:3000'],
    ['http://[::1]:3000/', 'http://[::1]:3000']
  ])('lets api-url %s override the host', (apiUrl, baseUrl) => {
    expect(settingsFor({ 'api-url': apiUrl, 'data-residency': 'eu' }).baseUrl).toBe(baseUrl)
  })

  it('takes segments from Single Sends alone, by ID, by name or by send time', () => {
    const other = '2688E03B-50AA-454A-97D1-E1530345A5ED'
    expect(
      settingsFor({
        'segment-ids': '',
        'single-send-ids': `${id}\n${other}, ${id}`,
        'single-send-names': 'Black Friday, EU\n\nBlack Friday, EU',
        'single-sends-within-minutes': '90'
      })
    ).toMatchObject({
      segmentIds: [],
      singleSendIds: [id, other.toLowerCase()],
      singleSendNames: ['Black Friday, EU'],
      singleSendsWithinMs: 5_400_000
    })
    expect(problemsFor({ 'segment-ids': '', 'single-sends-within-minutes': '0.5' })).toEqual([])
    expect(problemsFor({ 'segment-ids': '', 'single-send-names': 'Newsletter' })).toEqual([])
  })

  it('asks for a source of segments, naming every input that can be one', () => {
    expect(problemsFor({ 'segment-ids': '', 'single-sends-within-minutes': '0' })).toEqual([
      'No segment to refresh: give at least one of segment-ids, segment-names, single-send-ids, single-send-names or single-sends-within-minutes.'
    ])
  })

  it.each([
    ['api-key', '', /'api-key'.*it is required/],
    [
      'single-send-ids',
      'black-friday',
      /'single-send-ids' has an invalid value "black-friday": each Single Send ID must be a 36-character UUID/
    ],
    [
      'single-sends-within-minutes',
      '-30',
      /'single-sends-within-minutes' has an invalid value "-30": it must be a non-negative number/
    ],
    [
      'single-sends-within-minutes',
      '1 hour',
      /'single-sends-within-minutes' has an invalid value "1 hour"/
    ],
    ['segment-ids', '', /^No segment to refresh: give at least one of segment-ids, segment-names/],
    [
      'segment-ids',
      `${id}, 1234`,
      /'segment-ids' has an invalid value "1234": .*36-character UUID/
    ],
    [
      'segment-ids',
      `${id}x`,
      /'segment-ids' has an invalid value "1588e03b-50aa-454a-97d1-e1530345a5ecx"/
    ],
    ['time-zone', '+05:00', /'time-zone' has an invalid value "\+05:00": .*not UTC offsets/],
    ['time-zone', 'UTC+2', /'time-zone' has an invalid value "UTC\+2": .*not UTC offsets/],
    ['time-zone', '-0300', /'time-zone'.*not UTC offsets/],
    [
      'time-zone',
      'Mars/Olympus_Mons',
      /'time-zone' has an invalid value "Mars\/Olympus_Mons": .*not a known IANA/
    ],
    [
      'on-rate-limit',
      'ignore',
      /'on-rate-limit' has an invalid value "ignore": it must be one of: warn, fail/
    ],
    [
      'data-residency',
      'us',
      /'data-residency' has an invalid value "us": it must be one of: global, eu/
    ],
    [
      'api-url',
      'api.sendgrid.com',
      /'api-url' has an invalid value "api.sendgrid.com": it is not a URL/
    ],
    [
      'api-url',
      'http://api.sendgrid.com',
      /'api-url' has an invalid value "http:\/\/api.sendgrid.com": it must use https/
    ],
    ['api-url', 'http://10.0.0.1', /'api-url'.*must use https/],
    ['api-url', 'ftp://localhost', /'api-url'.*must use https/],
    [
      'api-url',
      'https://user:pw@proxy.example.com',
      /'api-url' has an invalid value "https:\/\/\*\*\*@proxy.example.com": .*credentials/
    ],
    ['api-url', 'https://proxy.example.com/?a=1', /'api-url'.*query or fragment/],
    ['on-behalf-of', 'sub\u0001user', /'on-behalf-of'.*on one line/],
    [
      'timeout-seconds',
      '0',
      /'timeout-seconds' has an invalid value "0": it must be more than 0 seconds/
    ],
    [
      'timeout-seconds',
      '-1',
      /'timeout-seconds' has an invalid value "-1": it must be a non-negative number/
    ],
    ['timeout-seconds', 'ten', /'timeout-seconds' has an invalid value "ten"/],
    ['max-retries', '1.5', /'max-retries' has an invalid value "1.5": it must be a whole number/],
    ['max-retries', '-2', /'max-retries' has an invalid value "-2"/],
    ['dry-run', 'yes', /'dry-run' has an invalid value "yes": it must be true or false/],
    ['check-quota', '1', /'check-quota' has an invalid value "1": it must be true or false/],
    ['wait', 'on', /'wait' has an invalid value "on"/],
    [
      'fresh-within-minutes',
      '-5',
      /'fresh-within-minutes' has an invalid value "-5": it must be a non-negative number/
    ],
    ['fresh-within-minutes', '1h', /'fresh-within-minutes' has an invalid value "1h"/],
    ['fresh-within-minutes', '.5', /'fresh-within-minutes' has an invalid value "\.5"/],
    ['wait-timeout-seconds', '0', /'wait-timeout-seconds'.*more than 0 seconds/],
    [
      'read-limit-wait-seconds',
      '3601',
      /'read-limit-wait-seconds' has an invalid value "3601": it must be at most 3600 seconds/
    ],
    ['read-limit-wait-seconds', '2m', /'read-limit-wait-seconds' has an invalid value "2m"/],
    ['wait-interval-seconds', 'x', /'wait-interval-seconds' has an invalid value "x"/]
  ])('rejects %s = %j, naming the input and the value', (input, value, expected) => {
    const problems = problemsFor({ [input]: value })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(expected)
  })

  it.each([
    [
      'BST',
      'it is British Summer Time, not an IANA zone (some systems read it as Asia/Dhaka); for UK time use Europe/London'
    ],
    [
      'ist',
      'it is India, Irish or Israel Standard Time, not an IANA zone (some systems read it as Asia/Calcutta); use Asia/Kolkata, Europe/Dublin or Asia/Jerusalem'
    ],
    [
      'PST',
      'it is Pacific Standard Time, not an IANA zone; for US Pacific time use America/Los_Angeles'
    ],
    [
      'CEST',
      'it is Central European Summer Time, not an IANA zone; use your city, such as Europe/Berlin or Europe/Paris'
    ]
  ])('refuses %s, a name that is no IANA zone, with the city zone to use', (zone, reason) => {
    expect(problemsFor({ 'time-zone': zone })).toEqual([
      `Input 'time-zone' has an invalid value ${JSON.stringify(zone)}: ${reason}`
    ])
  })

  it.each([
    [
      'EST',
      'America/Panama',
      'time-zone "EST" is a fixed UTC-05:00 without daylight saving; for US Eastern time use America/New_York. It is sent to SendGrid as user_time_zone America/Panama.'
    ],
    [
      'CET',
      'Europe/Brussels',
      'time-zone "CET" is Central European Time, which current time zone data treats as Europe/Brussels; use your city, such as Europe/Berlin or Europe/Paris. It is sent to SendGrid as user_time_zone Europe/Brussels.'
    ],
    [
      'GMT',
      'UTC',
      'time-zone "GMT" is UTC+00:00 all year, without British Summer Time; for UK time use Europe/London. It is sent to SendGrid as user_time_zone UTC.'
    ],
    [
      'Japan',
      'Asia/Tokyo',
      'time-zone "Japan" is an old name that time zone data reads as Asia/Tokyo; use Asia/Tokyo, or your own city\'s zone. It is sent to SendGrid as user_time_zone Asia/Tokyo.'
    ]
  ])(
    'takes %s, an IANA name without a city, shown as written, with a warning of what it is',
    (zone, sent, warning) => {
      const settings = settingsFor({ 'time-zone': zone })
      // Shown as written everywhere; the canonical name only goes to SendGrid, and into the warning.
      expect(settings.timeZone).toBe(zone)
      expect(settings.userTimeZone).toBe(sent)
      expect(settings.timeZoneWarning).toBe(warning)
    }
  )

  it('warns about no city zone, nor UTC however written', () => {
    for (const zone of ['America/New_York', 'US/Eastern', 'UTC', 'utc', 'Etc/UTC']) {
      expect(settingsFor({ 'time-zone': zone }).timeZoneWarning).toBeNull()
    }
  })

  it('refuses fail-unless-ready without wait, naming both, and a bad value of it', () => {
    expect(problemsFor({ 'fail-unless-ready': 'true' })).toEqual([
      `Input 'fail-unless-ready' has an invalid value "true": it needs wait: true, since a refreshed segment is ready only once wait has seen SendGrid recompute it; set wait: true, or fail-unless-ready: false`
    ])
    expect(problemsFor({ 'fail-unless-ready': 'TRUE', wait: 'false' })).toHaveLength(1)
    expect(problemsFor({ 'fail-unless-ready': 'yes', wait: 'true' })).toEqual([
      `Input 'fail-unless-ready' has an invalid value "yes": it must be true or false`
    ])
    // A bad value is said once, without wait's rule on top (it needs a value to apply to).
    expect(problemsFor({ 'fail-unless-ready': 'yes', wait: 'false' })).toHaveLength(1)
    // Another bad input does not hide the rule.
    expect(
      problemsFor({ 'fail-unless-ready': 'true', 'max-retries': 'x' }).map((p) => p.split("'")[1])
    ).toEqual(['max-retries', 'fail-unless-ready'])
    expect(problemsFor({ 'wait-interval-seconds': '0' })).toEqual([
      expect.stringContaining('\'wait-interval-seconds\' has an invalid value "0"')
    ])
    // A bad wait is said once, not again as fail-unless-ready's.
    expect(problemsFor({ 'fail-unless-ready': 'true', wait: 'on' })).toEqual([
      `Input 'wait' has an invalid value "on": it must be true or false`
    ])
    expect(settingsFor({ 'fail-unless-ready': 'true', wait: 'true' }).failUnlessReady).toBe(true)
  })

  it('refuses a bad recomputed-by, min-contacts or max-contacts-change-percent, naming input and value', () => {
    expect(
      problemsFor({
        'recomputed-by': 'updated_at',
        'min-contacts': '1.5',
        'max-contacts-change-percent': '-5'
      })
    ).toEqual([
      `Input 'recomputed-by' has an invalid value "updated_at": it must be one of: sample_updated_at, last_refreshed_at`,
      `Input 'min-contacts' has an invalid value "1.5": it must be a whole number (0, 1, 2, ...)`,
      `Input 'max-contacts-change-percent' has an invalid value "-5": it must be a non-negative number`
    ])
    expect(problemsFor({ 'min-contacts': 'ten' })).toEqual([
      `Input 'min-contacts' has an invalid value "ten": it must be a non-negative number`
    ])
    expect(settingsFor({ 'max-contacts-change-percent': '0' }).maxContactsChangePercent).toBe(0)
    expect(settingsFor({ 'max-contacts-change-percent': ' ' }).maxContactsChangePercent).toBeNull()
  })

  it('suggests the zone one or two letters from a misspelt one, and none for a name far from any', () => {
    expect(problemsFor({ 'time-zone': 'Europe/Londn' })).toEqual([
      `Input 'time-zone' has an invalid value "Europe/Londn": it is not a known IANA time zone name. Did you mean Europe/London?`
    ])
    expect(problemsFor({ 'time-zone': 'america/chicgo' })[0]).toContain(
      'Did you mean America/Chicago?'
    )
    // Closest first, then by name.
    expect(problemsFor({ 'time-zone': 'Asia/Aman' })[0]).toContain(
      'Did you mean Asia/Amman or Asia/Aden?'
    )
    expect(problemsFor({ 'time-zone': 'Mars/Olympus' })[0]).toContain(
      'it is not a known IANA time zone name (examples: UTC, America/Chicago, Europe/Berlin)'
    )
  })

  it('reports every bad input at once', () => {
    const problems = problemsFor({ 'time-zone': 'Nowhere', 'max-retries': 'x', wait: 'maybe' })
    expect(problems.map((p) => p.split("'")[1])).toEqual(['time-zone', 'max-retries', 'wait'])
  })

  it('never puts the key in an error, even a malformed one', () => {
    const problems = problemsFor({ 'api-key': 'SG.abc def' })
    expect(problems).toEqual([expect.stringContaining(`'api-key' has an invalid value "***"`)])
    expect(problems.join()).not.toContain('SG.abc')
  })

  it('accepts segment names without segment IDs', () => {
    expect(settingsFor({ 'segment-ids': '', 'segment-names': 'VIP' })).toMatchObject({
      segmentIds: [],
      segmentNames: ['VIP']
    })
  })
})

describe('parseSegmentIds', () => {
  it('splits on commas, spaces and newlines and drops repeats case-insensitively', () => {
    expect(parseSegmentIds(`${id},${otherId}\n ${id.toUpperCase()}\t${otherId},,`)).toEqual({
      unique: [id, otherId],
      duplicates: [id, otherId]
    })
  })

  it('lists every bad ID', () => {
    expect(() => parseSegmentIds('abc, def')).toThrow(/"abc, def"/)
  })
})

describe('parseNames', () => {
  it('keeps commas and spaces inside names, one name per line', () => {
    expect(parseNames('Spring sale, EU customers\r\n\n  VIP  \nVIP\n')).toEqual([
      'Spring sale, EU customers',
      'VIP'
    ])
  })
})

describe('parseTimeZone', () => {
  it.each([
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['america/new_york', 'America/New_York'],
    ['US/Eastern', expect.stringMatching(/^(US\/Eastern|America\/New_York)$/)],
    ['Etc/GMT+5', 'Etc/GMT+5']
  ])('accepts %s', (value, canonical) => {
    expect(parseTimeZone(value)).toEqual(canonical)
  })
})

describe('getSettings, at the edges of each input', () => {
  it('masks nothing when no key is given, and words a missing or pasted-wrong key exactly', () => {
    expect(problemsFor({ 'api-key': '' })).toEqual([
      'Input \'api-key\' has an invalid value "": it is required (pass a secret, e.g. ${{ secrets.SENDGRID_API_KEY }})'
    ])
    expect(stdout.mock.calls.map(([chunk]) => String(chunk)).join('')).not.toContain('add-mask')
    expect(problemsFor({ 'api-key': 'SG.a b' })).toEqual([
      'Input \'api-key\' has an invalid value "***": it contains white space; check how the secret was pasted'
    ])
  })

  it.each([
    ['segment-ids', { 'segment-ids': 'nope' }],
    ['single-send-ids', { 'segment-ids': '', 'single-send-ids': 'nope' }],
    ['single-sends-within-minutes', { 'segment-ids': '', 'single-sends-within-minutes': 'soon' }]
  ])('names only the bad %s, not a missing source as well', (input, inputs) => {
    const problems = problemsFor(inputs)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(new RegExp(`^Input '${input}' has an invalid value "(nope|soon)"`))
  })

  it('takes only whole UUIDs, and lists a repeated ID once however often it comes', () => {
    expect(problemsFor({ 'segment-ids': `x${id}` })).toEqual([
      expect.stringMatching(
        /^Input 'segment-ids' has an invalid value "x1588e03b-[^"]*": .*segment ID/
      )
    ])
    expect(settingsFor({ 'segment-ids': `${id} ${id} ${id.toUpperCase()}` })).toMatchObject({
      segmentIds: [id],
      duplicateSegmentIds: [id]
    })
  })

  it.each(['xtrue', 'truex', 'xfalse', 'falsey'])('rejects %j as a boolean', (value) => {
    expect(problemsFor({ wait: value })).toEqual([
      `Input 'wait' has an invalid value ${JSON.stringify(value)}: it must be true or false`
    ])
  })

  it('rejects a number followed by other text', () => {
    expect(problemsFor({ 'fresh-within-minutes': '5abc' })).toHaveLength(1)
  })

  it('calls "UTC +2" an offset, not a zone', () => {
    expect(problemsFor({ 'time-zone': 'UTC +2' })[0]).toMatch(/^Input 'time-zone' .*offset/)
  })

  it.each([
    ['http://127.0.0.10:8080', 'http://127.0.0.10:8080'],
    ['https://proxy.example/sendgrid//', 'https://proxy.example/sendgrid'],
    ['http://LOCALHOST:3000/', 'http://localhost:3000']
  ])('accepts api-url %s', (value, baseUrl) => {
    expect(settingsFor({ 'api-url': value }).baseUrl).toBe(baseUrl)
  })

  it.each([
    ['http://evil-localhost:8080', 'it must use https://'],
    ['http://localhost.evil.example', 'it must use https://'],
    ['https://user@api.sendgrid.com', 'it must not contain credentials'],
    ['https://:secret@api.sendgrid.com', 'it must not contain credentials']
  ])('rejects api-url %s', (value, reason) => {
    expect(problemsFor({ 'api-url': value })[0]).toContain(reason)
  })
})

describe('contact-job-ids and contacts-settle-seconds', () => {
  it('reads job IDs separated by commas, spaces and newlines, each once, in order', () => {
    const settings = settingsFor({
      'contact-job-ids': ' job_1, JOB-2\n job_1 \t9f3c ',
      'contacts-settle-seconds': '90.5'
    })
    expect(settings.contactJobIds).toEqual(['job_1', 'JOB-2', '9f3c'])
    expect(settings.contactsSettleMs).toBe(90_500)
  })

  it('is not a source of segments', () => {
    expect(problemsFor({ 'segment-ids': '', 'contact-job-ids': 'job1' })).toEqual([
      'No segment to refresh: give at least one of segment-ids, segment-names, single-send-ids, single-send-names or single-sends-within-minutes.'
    ])
  })

  it('refuses IDs that could change the request path, naming every bad one', () => {
    expect(problemsFor({ 'contact-job-ids': 'ok, a/b, c?d, e%2F, f.g, ok2' })).toEqual([
      `Input 'contact-job-ids' has an invalid value "a/b, c?d, e%2F, f.g": each job ID must be 1 to 64 letters, digits, - or _ (the job_id SendGrid returned)`
    ])
    expect(problemsFor({ 'contact-job-ids': 'x'.repeat(64) })).toEqual([])
    expect(problemsFor({ 'contact-job-ids': 'x'.repeat(65) })).toHaveLength(1)
    expect(problemsFor({ 'contact-job-ids': 'a\u0000b' })).toHaveLength(1)
  })

  it('takes a settle time from 0 to 3600 seconds', () => {
    expect(settingsFor({ 'contacts-settle-seconds': '3600' }).contactsSettleMs).toBe(3_600_000)
    expect(problemsFor({ 'contacts-settle-seconds': '3600.5' })).toEqual([
      `Input 'contacts-settle-seconds' has an invalid value "3600.5": it must be at most 3600 seconds`
    ])
    expect(problemsFor({ 'contacts-settle-seconds': '-1' })).toEqual([
      `Input 'contacts-settle-seconds' has an invalid value "-1": it must be a non-negative number`
    ])
  })
})
