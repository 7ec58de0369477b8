// What a later step and a person read of a run: the outputs, the annotations, the failure message and
// the job summary, from results of every kind.
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import type { ContactJob } from '../../src/stages/contact-jobs.js'
import type { Settings } from '../../src/inputs/settings.js'
import { newResult, type SegmentResult } from '../../src/run/results.js'
import { setOutputs } from '../../src/report/outputs.js'
import {
  writeDryRunSummary,
  writeInvalidInputsSummary,
  writeLookupSummary,
  writeSummary
} from '../../src/report/summary.js'
import { InputProblem, InvalidInputsError } from '../../src/inputs/problems.js'
import { annotate, failureMessage } from '../../src/report/verdict.js'
import { LookupError } from '../../src/stages/name-match.js'
import type { ServedSingleSend } from '../../src/stages/single-sends.js'
import { captureStdout } from '../support/capture-stdout.js'
import { annotationsIn, parseOutputFile } from '../../tools/run-action.js'

const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-report-'))
const outputFile = join(workDir, 'output')
const summaryFile = join(workDir, 'summary')
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

const stdout = captureStdout()
beforeEach(() => {
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  process.env.GITHUB_OUTPUT = outputFile
  process.env.GITHUB_STEP_SUMMARY = summaryFile
  core.summary.emptyBuffer()
})

const now = Date.parse('2026-11-27T12:00:00Z')
const result = (
  id: string,
  name: string | null,
  outcome: SegmentResult['outcome'],
  extra: Partial<SegmentResult> = {}
): SegmentResult =>
  newResult(id, name, {
    outcome,
    httpStatus: null,
    annotation: null,
    message: `message of ${id}`,
    reason: `reason of ${id}`,
    ...extra
  })

const results = [
  result('s-1', 'VIP <b>', 'refreshed', {
    httpStatus: 202,
    jobId: 'job-1',
    recomputed: true,
    contactsCountBefore: 1200,
    contactsCount: 1234,
    refreshesUsed: 1,
    maxRefreshes: 2,
    singleSendIds: ['c-1']
  }),
  result('s-2', null, 'refreshed', {
    httpStatus: 202,
    annotation: 'warning',
    contactsCountBefore: 50,
    contactsCount: 40,
    refreshesUsed: 2,
    maxRefreshes: null,
    singleSendIds: ['c-1']
  }),
  result('s-3', 'Spring', 'fresh', { contactsCount: 7, contactsCountBefore: 7 }),
  result('s-4', 'Limited', 'rate_limited', {
    annotation: 'warning',
    contactsCount: 0,
    nextRefreshAt: '2026-11-28T00:00:00Z'
  }),
  result('s-5', 'Broken', 'failed', { httpStatus: 404, annotation: 'error' })
]

const campaign = (fields: Partial<ServedSingleSend>): ServedSingleSend => ({
  id: 'c-1',
  name: 'Black Friday & more',
  status: 'scheduled',
  sendAt: '2026-11-27T13:00:00Z',
  segmentIds: ['s-1', 's-2'],
  listIds: [],
  all: false,
  nothingToRefresh: null,
  ...fields
})

describe('setOutputs', () => {
  it('sets every output from the results, in order', () => {
    setOutputs({
      results,
      singleSends: [
        campaign({}),
        campaign({ id: 'c-2', nothingToRefresh: 'it goes to lists only' })
      ]
    })
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
    expect(Object.keys(outputs).sort()).toEqual([
      'contact-jobs',
      'contacts-counts',
      'failed',
      'fresh',
      'job-id',
      'job-ids',
      'rate-limited',
      'ready',
      'refreshed',
      'results',
      'single-sends'
    ])
    expect(outputs.ready).toBe('false')
    expect(outputs['contact-jobs']).toBe('[]')
    expect(outputs['job-id']).toBe('job-1')
    expect(JSON.parse(outputs['job-ids'])).toEqual({ 's-1': 'job-1' })
    expect(JSON.parse(outputs.refreshed)).toEqual(['s-1', 's-2'])
    expect(JSON.parse(outputs.fresh)).toEqual(['s-3'])
    expect(JSON.parse(outputs['rate-limited'])).toEqual(['s-4'])
    expect(JSON.parse(outputs.failed)).toEqual(['s-5'])
    expect(JSON.parse(outputs['contacts-counts'])).toEqual({
      's-1': 1234,
      's-2': 40,
      's-3': 7,
      's-4': 0
    })
    expect(JSON.parse(outputs.results)[0]).toEqual({
      segment_id: 's-1',
      segment_name: 'VIP <b>',
      outcome: 'refreshed',
      ready: true,
      not_ready_reason: null,
      recomputed_at: null,
      http_status: 202,
      job_id: 'job-1',
      message: 'message of s-1',
      refreshes_used: 1,
      max_refreshes: 2,
      last_refreshed_at: null,
      sample_updated_at: null,
      contacts_count: 1234,
      next_refresh_at: null,
      single_send_ids: ['c-1']
    })
    expect(
      JSON.parse(outputs.results).map((r: { not_ready_reason: unknown }) => r.not_ready_reason)
    ).toEqual([null, 'not_recomputed', null, 'rate_limited', 'failed'])
    expect(JSON.parse(outputs['single-sends'])).toEqual([
      {
        id: 'c-1',
        name: 'Black Friday & more',
        status: 'scheduled',
        send_at: '2026-11-27T13:00:00Z',
        segment_ids: ['s-1', 's-2'],
        nothing_to_refresh: null
      },
      expect.objectContaining({ id: 'c-2', nothing_to_refresh: 'it goes to lists only' })
    ])
  })

  it('is ready only with a segment, every one ready, at a run that came to its end', () => {
    const ready = (outcome: Parameters<typeof setOutputs>[0]) => {
      writeFileSync(outputFile, '')
      setOutputs(outcome)
      return parseOutputFile(readFileSync(outputFile, 'utf8')).ready
    }
    const fresh = results[2]
    const recomputed = results[0]
    expect(ready({ results: [recomputed, fresh], singleSends: [] })).toBe('true')
    expect(ready({ results: [recomputed, fresh], singleSends: [], end: 'done' })).toBe('true')
    expect(ready({ results: [recomputed, fresh], singleSends: [], end: 'cancelled' })).toBe('false')
    expect(ready({ results: [fresh], singleSends: [], end: 'error' })).toBe('false')
    expect(ready({ results: [], singleSends: [] })).toBe('false')
    // Refreshed but not seen recomputed: not ready.
    expect(ready({ results: [fresh, results[1]], singleSends: [] })).toBe('false')
    const entries = (list: SegmentResult[]) => {
      writeFileSync(outputFile, '')
      setOutputs({ results: list, singleSends: [] })
      return JSON.parse(parseOutputFile(readFileSync(outputFile, 'utf8')).results)
    }
    const read = result('s-9', 'Read', 'refreshed', {
      lastRefreshedAt: '2026-11-27T10:00:00Z',
      sampleUpdatedAt: '2026-11-27T09:00:00Z'
    })
    // sample_updated_at is the recompute; last_refreshed_at only under recomputed-by.
    expect(entries([read])[0]).toMatchObject({
      ready: false,
      recomputed_at: '2026-11-27T09:00:00Z'
    })
    writeFileSync(outputFile, '')
    setOutputs({ results: [read], singleSends: [] }, 'last_refreshed_at')
    expect(
      JSON.parse(parseOutputFile(readFileSync(outputFile, 'utf8')).results)[0].recomputed_at
    ).toBe('2026-11-27T10:00:00Z')
    // An audience guard makes a fresh segment not ready, and says which.
    const empty = result('s-8', 'Empty', 'fresh', {
      audienceProblem: { kind: 'too_few_contacts', sentence: 'Empty has 0 contacts.' }
    })
    expect(ready({ results: [empty], singleSends: [] })).toBe('false')
    expect(entries([empty])[0]).toMatchObject({
      ready: false,
      not_ready_reason: 'too_few_contacts'
    })
  })

  it('leaves job-id empty when no refresh returned a job ID', () => {
    setOutputs({ results: [results[1], results[2]], singleSends: [] })
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
    expect(outputs['job-id']).toBe('')
    expect(outputs['job-ids']).toBe('{}')
    expect(outputs['single-sends']).toBe('[]')
  })
})

describe('annotate', () => {
  it('gives each result the annotation it deserves, titled with its segment and outcome', () => {
    annotate(results)
    expect(annotationsIn(stdout.text)).toEqual([
      { level: 'warning', properties: 'title=Segment s-2%3A refreshed', message: 'message of s-2' },
      {
        level: 'warning',
        properties: 'title=Segment "Limited"%3A rate limited',
        message: 'message of s-4'
      },
      { level: 'error', properties: 'title=Segment "Broken"%3A failed', message: 'message of s-5' }
    ])
    // s-1 was recomputed: the wait said so as it happened.
    expect(stdout.text).not.toContain('message of s-1')
    expect(stdout.text).toContain('message of s-3\n')
  })
})

describe('failureMessage', () => {
  const settings = (onRateLimit: 'warn' | 'fail') => ({ onRateLimit }) as Settings
  it('fails on failed segments, and on rate-limited ones only under on-rate-limit: fail', () => {
    expect(failureMessage(results, settings('warn'))).toBe(
      '1 of 5 segment(s) failed. See the annotations above.'
    )
    expect(failureMessage(results, settings('fail'))).toBe(
      "1 of 5 segment(s) failed; 1 of 5 segment(s) hit SendGrid's refresh limit (on-rate-limit: fail). See the annotations above."
    )
    expect(failureMessage(results.slice(0, 4), settings('fail'))).toBe(
      "1 of 4 segment(s) hit SendGrid's refresh limit (on-rate-limit: fail). See the annotations above."
    )
    expect(failureMessage(results.slice(0, 4), settings('warn'))).toBeNull()
    expect(failureMessage([], settings('fail'))).toBeNull()
  })
  it('fails, with wait, on a refresh not seen recomputed; without wait, it is only not ready', () => {
    const waited = { onRateLimit: 'warn', wait: true } as Settings
    expect(failureMessage(results.slice(0, 4), waited)).toBe(
      '1 of 4 segment(s) refreshed but not seen recomputed before the wait ended. See the annotations above.'
    )
    expect(failureMessage(results, waited)).toBe(
      '1 of 5 segment(s) failed; 1 of 5 segment(s) refreshed but not seen recomputed before the wait ended. See the annotations above.'
    )
  })

  it('under fail-unless-ready, fails unless every segment is ready, naming each that is not and why', () => {
    const gate = { onRateLimit: 'warn', wait: true, failUnlessReady: true } as Settings
    expect(failureMessage([results[0], results[2], results[3]], gate)).toBe(
      '1 of 3 segment(s) not ready to send to (fail-unless-ready): "Limited" (rate limited: reason of s-4).'
    )
    expect(failureMessage([results[0], results[2]], gate)).toBeNull()
    expect(failureMessage([], gate)).toBe(
      'No segment was to be refreshed, so nothing is ready to send to (fail-unless-ready).'
    )
    // The failures of a failed run come first; readiness adds nothing to them.
    expect(failureMessage(results, gate)).toBe(
      '1 of 5 segment(s) failed; 1 of 5 segment(s) refreshed but not seen recomputed before the wait ended. See the annotations above.'
    )
    expect(failureMessage([results[2], results[3]], { ...gate, failUnlessReady: false })).toBeNull()
  })
})

describe('writeLookupSummary', () => {
  it('warns when it cannot write the summary', async () => {
    rmSync(summaryFile)
    mkdirSync(summaryFile)
    await writeLookupSummary(new LookupError('T', ['p'], 's'), {
      segmentIds: [],
      segmentNames: [],
      singleSendIds: [],
      singleSendNames: [],
      singleSendsWithinMs: 0,
      contactJobIds: []
    } as unknown as Settings)
    rmSync(summaryFile, { recursive: true })
    expect(annotationsIn(stdout.text)).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/^Could not write the job summary: .*EISDIR/)
      })
    ])
  })

  it('says what could not be found, with the closest names, what was asked, and that nothing was sent', async () => {
    const error = new LookupError(
      'Unknown segment name',
      [
        'Input \'segment-names\': no segment is named "VIP <x>". Did you mean "VIP"?',
        'Input \'single-send-names\': no Single Send is named "Launch".'
      ],
      'Some segment names could not be resolved; no segment was refreshed.'
    )
    await writeLookupSummary(error, {
      segmentIds: ['s-1'],
      segmentNames: ['VIP <x>'],
      singleSendIds: [],
      singleSendNames: ['Launch'],
      singleSendsWithinMs: 30 * 60_000,
      contactJobIds: ['job-1'],
      timeZone: 'UTC'
    } as unknown as Settings)
    expect(readFileSync(summaryFile, 'utf8').split('\n')).toEqual([
      '<h2>SendGrid segment refresh</h2>',
      '<p><strong>Some segment names could not be resolved; no segment was refreshed.</strong></p>',
      "<p>Unknown segment name:</p><ul><li>Input 'segment-names': no segment is named &quot;VIP &lt;x&gt;&quot;. Did you mean &quot;VIP&quot;?</li><li>Input 'single-send-names': no Single Send is named &quot;Launch&quot;.</li></ul>",
      '<details><summary>What this run was asked for</summary>',
      '<table><tr><th>What</th><th>Given</th></tr><tr><td><code>s-1</code></td><td>segment, by ID</td></tr><tr><td>VIP &lt;x&gt;</td><td>segment, by name</td></tr><tr><td>Launch</td><td>Single Send, by name</td></tr><tr><td>every Single Send due in the next 30 minutes</td><td>scheduled Single Sends</td></tr><tr><td><code>job-1</code></td><td>contact job, waited for before any segment is read</td></tr></table>',
      '</details>',
      '<p>No refresh request was sent, so no budget was spent.</p>',
      ''
    ])
  })
})

describe('contact jobs in the outputs and the summary', () => {
  const settings = {
    timeZone: 'Europe/Berlin',
    contactsSettleMs: 0,
    recomputedBy: 'sample_updated_at'
  } as Settings
  const contactJob = (fields: Partial<ContactJob>): ContactJob => ({
    id: 'job-1',
    status: 'errored',
    jobType: 'upsert',
    requestedCount: 1200,
    createdCount: 1100,
    updatedCount: 63,
    deletedCount: null,
    erroredCount: 37,
    finishedAt: '2026-11-27T11:58:00Z',
    problem: null,
    ...fields
  })

  it('sets contact-jobs, one entry per job with every key', () => {
    setOutputs({
      results: [],
      singleSends: [],
      contacts: {
        jobs: [contactJob({}), contactJob({ id: '<2>', status: 'not_found', finishedAt: null })],
        landedAt: null
      }
    })
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
    expect(JSON.parse(outputs['contact-jobs'])).toEqual([
      {
        id: 'job-1',
        status: 'errored',
        job_type: 'upsert',
        requested_count: 1200,
        created_count: 1100,
        updated_count: 63,
        deleted_count: null,
        errored_count: 37,
        finished_at: '2026-11-27T11:58:00Z'
      },
      expect.objectContaining({ id: '<2>', status: 'not_found', finished_at: null })
    ])
  })

  it('says when the contacts landed before the table, and lists the jobs in a details block', async () => {
    await writeSummary(
      {
        results: results.slice(0, 1),
        singleSends: [],
        contacts: { jobs: [contactJob({})], landedAt: Date.parse('2026-11-27T11:58:00Z') }
      },
      settings,
      now
    )
    const lines = readFileSync(summaryFile, 'utf8').split('\n')
    expect(lines.slice(0, 3)).toEqual([
      '<h2>SendGrid segment refresh</h2>',
      '<p><strong>&quot;VIP &lt;b&gt;&quot; is ready to send to.</strong></p>',
      '<p>Contacts first: 1 job finished at 12:58 Europe/Berlin, 2 minutes ago; 1,163 of 1,200 contacts written, 37 rejected.</p>'
    ])
    expect(lines[3]).toMatch(/^<table>/)
    expect(lines.join('\n')).toContain(
      "</table>\n</details>\n<details><summary>Segment IDs, refresh job IDs and SendGrid's fields</summary>"
    )
    expect(lines).toContain('<details><summary>Contact jobs</summary>')
    expect(lines).toContain(
      '<table><tr><th>Contact job ID</th><th>Status</th><th>Contacts</th><th>Finished</th></tr><tr><td><code>job-1</code></td><td>errored</td><td>upsert: 1,200 requested, 1,100 created, 63 updated, 37 rejected</td><td>at 12:58 Europe/Berlin, 2 minutes ago</td></tr></table>'
    )
  })

  it('makes contacts that did not land the answer, and fails the step for them', async () => {
    const jobs = [
      contactJob({ status: '<failed>', finishedAt: null }),
      contactJob({ id: 'job-2', status: 'completed' })
    ]
    await writeSummary(
      { results, singleSends: [], contacts: { jobs, landedAt: null } },
      settings,
      now
    )
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary.split('\n')[1]).toBe(
      '<p><strong>The contacts did not land: contact job job-1 &lt;failed&gt;. No segment was refreshed and no refresh budget was spent.</strong></p>'
    )
    expect(summary.split('The contacts did not land')).toHaveLength(2)
    expect(summary).toContain(
      '<td>&lt;failed&gt;</td><td>upsert: 1,200 requested, 1,100 created, 63 updated, 37 rejected</td><td>—</td></tr>'
    )
    expect(
      failureMessage(results, { onRateLimit: 'warn' } as Settings, { jobs, landedAt: null })
    ).toBe(
      '1 of 2 contact job(s) did not finish writing their contacts, so no segment was refreshed. See the annotations above.'
    )
    expect(
      failureMessage([], { onRateLimit: 'warn' } as Settings, { jobs: jobs.slice(1), landedAt: 0 })
    ).toBeNull()
  })
})

describe('writeSummary', () => {
  const settings = { timeZone: 'Europe/Berlin', recomputedBy: 'sample_updated_at' } as Settings
  const row = (...cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`

  it('groups the audiences under their campaign, with every cell in words', async () => {
    await writeSummary(
      {
        results,
        singleSends: [
          campaign({}),
          campaign({ id: 'c-2', name: 'Lists <only>', nothingToRefresh: 'it goes to lists only' })
        ]
      },
      settings,
      now
    )
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<h2>SendGrid segment refresh</h2>')
    expect(summary).toContain(
      '<p><strong>2 of 5 audiences are ready to send to: &quot;VIP &lt;b&gt;&quot; and &quot;Spring&quot;. SendGrid accepted the refresh of s-2 and is recomputing it; with wait: true the job waits until that is done. &quot;Limited&quot; can be refreshed again tomorrow at 01:00 Europe/Berlin, in 12 h. &quot;Broken&quot; failed; see why below.</strong></p>'
    )
    expect(summary).toContain(
      '<h3>&quot;Black Friday &amp; more&quot; sends at 14:00 Europe/Berlin, in 1 h: 1 of 2 segment(s) ready</h3>'
    )
    expect(summary).toContain(
      row('VIP &lt;b&gt;', '✅ refreshed', '1,200 → 1,234 (+34)', '1 of 2', 'reason of s-1')
    )
    expect(summary).toContain(
      row('s-2', '🔄 refreshing', '50 → 40 (−10)', '2 of ?', 'reason of s-2')
    )
    expect(summary).toContain('<h3>Other segments</h3>')
    expect(summary).toContain(row('Spring', '🟢 fresh', '7 → 7 (±0)', '—', 'reason of s-3'))
    expect(summary).toContain(row('Limited', '⏳ rate limited', '0', '—', 'reason of s-4'))
    expect(summary).toContain(row('Broken', '❌ failed', '—', '—', 'reason of s-5'))
    expect(summary).toContain(
      '<p>Nothing to refresh for &quot;Lists &lt;only&gt;&quot;: it goes to lists only.</p>'
    )
    expect(summary).toContain(
      row('VIP &lt;b&gt;', '<code>s-1</code>', '<code>job-1</code>', '202', '—')
    )
    expect(summary).toContain(row('—', '<code>s-2</code>', '—', '202', '—'))
    expect(summary).toContain(row('Spring', '<code>s-3</code>', '—', '—', '—'))
    expect(summary).toContain(
      '<p>Times are in Europe/Berlin. 2 refreshed, 1 fresh, 1 rate-limited, 1 failed.</p>'
    )
    // The campaign's segments come first, each segment once.
    expect(summary.indexOf('s-2</td>')).toBeLessThan(summary.indexOf('Other segments'))
    expect(summary.split('reason of s-1').length).toBe(2)
  })

  it('has one table and no campaign headings when no campaign is served', async () => {
    await writeSummary({ results: results.slice(2), singleSends: [] }, settings, now)
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).not.toContain('<h3>')
    expect(summary.split('<th>Audience</th>').length).toBe(2)
  })

  it('notes, after the answer, each segment created less than 30 minutes ago', async () => {
    const fresh = { ...results[2], createdAt: new Date(now - 5 * 60_000).toISOString() }
    const old = { ...results[3], createdAt: new Date(now - 45 * 60_000).toISOString() }
    const alsoNew = { ...results[4], createdAt: new Date(now - 60_000).toISOString() }
    await writeSummary({ results: [fresh, old, alsoNew], singleSends: [] }, settings, now)
    const lines = readFileSync(summaryFile, 'utf8').split('\n')
    expect(lines[2]).toMatch(/so its count may still grow\. &quot;Broken&quot; was created /)
    expect(lines[2]).toMatch(
      /^<p>&quot;Spring&quot; was created at \d\d:\d\d .*?, 5 minutes ago: SendGrid says segments built on engagement data take about 30 minutes to begin populating, so its count may still grow\. &quot;Broken&quot; was created .*<\/p>$/
    )
    expect(lines.filter((l) => l.includes('was created'))).toHaveLength(1)
  })

  it('says how often the rate limit slowed the run, only when it did', async () => {
    await writeSummary(
      { results: results.slice(2), singleSends: [], slowDowns: { times: 3, waitedMs: 4250 } },
      settings,
      now
    )
    const lines = readFileSync(summaryFile, 'utf8').split('\n')
    expect(lines[2]).toBe(
      "<p>SendGrid's rate limit for requests, which every integration on the account shares, asked this run to slow down 3 times; it waited 4.3 s in all before sending those requests again.</p>"
    )
    writeFileSync(summaryFile, '')
    await writeSummary(
      { results: results.slice(2), singleSends: [], slowDowns: { times: 1, waitedMs: 1000 } },
      settings,
      now
    )
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      'asked this run to slow down once; it waited 1.0 s'
    )
    writeFileSync(summaryFile, '')
    await writeSummary(
      { results: results.slice(2), singleSends: [], slowDowns: { times: 0, waitedMs: 0 } },
      settings,
      now
    )
    expect(readFileSync(summaryFile, 'utf8')).not.toContain('rate limit for requests')
  })

  it('keeps every name and message of outside text on one line of its cell, Markdown and all', async () => {
    const name = 'VIP\n\n**All audiences verified** [log in](https://example.com)\t <b>x</b>'
    await writeSummary(
      {
        results: [{ ...results[2], segmentName: name, reason: 'SendGrid said:\r\n\r\n# hi' }],
        singleSends: []
      },
      settings,
      now
    )
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain(
      '<td>VIP **All audiences verified** [log in](https://example.com) &lt;b&gt;x&lt;/b&gt;</td>'
    )
    expect(summary).toContain('<td>SendGrid said: # hi</td>')
    expect(summary).not.toMatch(/\n\n\*\*All/)
  })

  it('writes only the answer and the counts when nothing was to be refreshed', async () => {
    await writeSummary({ results: [], singleSends: [] }, settings, now)
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('No segment was to be refreshed in this run.')
    expect(summary).not.toContain('<th>Audience</th>')
  })

  it('warns when it cannot write, and the next summary does not repeat the lost one', async () => {
    // @actions/core keeps the summary's path after first use: a folder in its place breaks the write.
    rmSync(summaryFile)
    mkdirSync(summaryFile)
    await writeSummary({ results: [results[0]], singleSends: [] }, settings, now)
    expect(annotationsIn(stdout.text)).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/^Could not write the job summary: .*EISDIR/)
      })
    ])
    rmSync(summaryFile, { recursive: true })
    writeFileSync(summaryFile, '')
    await writeSummary({ results: [], singleSends: [] }, settings, now)
    expect(readFileSync(summaryFile, 'utf8')).not.toContain('VIP')
  })
})

describe('the whole summary', () => {
  it('is, line by line, the answer, each campaign with its table, the rest, and the IDs', async () => {
    const short = (id: string, name: string | null, outcome: 'refreshed' | 'fresh', extra = {}) =>
      result(id, name, outcome, { reason: `why ${id}`, ...extra })
    await writeSummary(
      {
        results: [
          short('s-1', 'VIP', 'refreshed', {
            sampleUpdatedAt: '2026-11-27T11:58:00Z',
            httpStatus: 202,
            jobId: 'j-1',
            recomputed: true,
            contactsCount: 5,
            contactsCountBefore: 4,
            refreshesUsed: 1,
            maxRefreshes: 2,
            singleSendIds: ['c-1']
          }),
          short('s-2', null, 'fresh', { contactsCount: 3 })
        ],
        singleSends: [
          campaign({ name: 'Promo', segmentIds: ['s-1'] }),
          campaign({ id: 'c-2', name: 'Lists', segmentIds: [], nothingToRefresh: 'lists only' })
        ]
      },
      { timeZone: 'UTC', recomputedBy: 'sample_updated_at' } as Settings,
      now
    )
    const tableHead =
      '<table><tr><th>Audience</th><th>Outcome</th><th>Contacts</th><th>Refreshes today</th><th>Why</th></tr>'
    expect(readFileSync(summaryFile, 'utf8').split('\n')).toEqual([
      '<h2>SendGrid segment refresh</h2>',
      '<p><strong>All 2 audiences are ready to send to.</strong></p>',
      '<h3>&quot;Promo&quot; sends at 13:00 UTC, in 1 h: audience ready</h3>',
      `${tableHead}<tr><td>VIP</td><td>✅ refreshed</td><td>4 → 5 (+1)</td><td>1 of 2</td><td>why s-1</td></tr></table>`,
      '<h3>Other segments</h3>',
      `${tableHead}<tr><td>s-2</td><td>🟢 fresh</td><td>3</td><td>—</td><td>why s-2</td></tr></table>`,
      '<p>Nothing to refresh for &quot;Lists&quot;: lists only.</p>',
      "<details><summary>Segment IDs, refresh job IDs and SendGrid's fields</summary>",
      "<table><tr><th>Name</th><th>Segment ID</th><th>Refresh job ID</th><th>HTTP status</th><th>Last recompute (SendGrid's sample_updated_at)</th></tr><tr><td>VIP</td><td><code>s-1</code></td><td><code>j-1</code></td><td>202</td><td>at 11:58 UTC, 2 minutes ago</td></tr><tr><td>—</td><td><code>s-2</code></td><td>—</td><td>—</td><td>—</td></tr></table>",
      '</details>',
      '<p>Times are in UTC. 1 refreshed, 1 fresh, 0 rate-limited, 0 failed.</p>',
      ''
    ])
  })
})

describe('writeDryRunSummary', () => {
  it('lists everything given, escaped, and says nothing was sent', async () => {
    await writeDryRunSummary({
      segmentIds: ['s-1'],
      segmentNames: ['<VIP>'],
      singleSendIds: ['c-1'],
      singleSendNames: ['Black & Friday'],
      singleSendsWithinMs: 90 * 60_000,
      contactJobIds: ['job_<1>'],
      baseUrl: 'https://api.sendgrid.com',
      timeZone: 'Europe/Berlin'
    } as Settings)
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<h2>SendGrid segment refresh (dry run)</h2>')
    expect(summary).toContain('<tr><td><code>s-1</code></td><td>segment, by ID</td></tr>')
    expect(summary).toContain(
      '<tr><td>&lt;VIP&gt;</td><td>segment, by name (resolved on a real run)</td></tr>'
    )
    expect(summary).toContain(
      '<tr><td><code>c-1</code></td><td>Single Send, by ID (read on a real run)</td></tr>'
    )
    expect(summary).toContain(
      '<tr><td>Black &amp; Friday</td><td>Single Send, by name (resolved on a real run)</td></tr>'
    )
    expect(summary).toContain(
      '<tr><td>every Single Send due in the next 90 minutes</td><td>found on a real run</td></tr>'
    )
    expect(summary).toContain(
      '<tr><td><code>job_&lt;1&gt;</code></td><td>contact job, waited for before any segment is read (on a real run)</td></tr>'
    )
    expect(summary).toContain(
      'Dry run: nothing was sent to https://api.sendgrid.com. Time zone: <code>Europe/Berlin</code>'
    )
  })

  it('is, line by line, what was given and that nothing was sent; no discovery row when it is off', async () => {
    await writeDryRunSummary({
      segmentIds: ['s-1'],
      segmentNames: [] as string[],
      singleSendIds: [] as string[],
      singleSendNames: [] as string[],
      singleSendsWithinMs: 0,
      contactJobIds: [] as string[],
      baseUrl: 'https://x.example',
      timeZone: 'UTC'
    } as Settings)
    expect(readFileSync(summaryFile, 'utf8').split('\n')).toEqual([
      '<h2>SendGrid segment refresh (dry run)</h2>',
      '<table><tr><th>What</th><th>Given</th></tr><tr><td><code>s-1</code></td><td>segment, by ID</td></tr></table>',
      'Dry run: nothing was sent to https://x.example. Time zone: <code>UTC</code>',
      ''
    ])
    expect(readFileSync(summaryFile, 'utf8')).not.toContain('every Single Send')
  })
})

describe('writeInvalidInputsSummary', () => {
  it('is, line by line, which inputs, what was wrong, and that nothing was sent', async () => {
    await writeInvalidInputsSummary(
      new InvalidInputsError([
        new InputProblem('time-zone', 'Europe/Londn', 'it is not a known IANA time zone name'),
        new InputProblem('min-contacts', '<-1>', 'a whole number of 0 or more; it is not')
      ])
    )
    expect(readFileSync(summaryFile, 'utf8').split('\n')).toEqual([
      '<h2>SendGrid segment refresh</h2>',
      '<p><strong>2 inputs are invalid, so nothing was sent to SendGrid.</strong></p>',
      '<table><tr><th>Input</th><th>Value given</th><th>What is wrong</th></tr><tr><td><code>time-zone</code></td><td><code>Europe/Londn</code></td><td>is not a known IANA time zone name</td></tr><tr><td><code>min-contacts</code></td><td><code>&lt;-1&gt;</code></td><td>a whole number of 0 or more; it is not</td></tr></table>',
      '<p>No request was sent, so no refresh budget was spent.</p>',
      ''
    ])
  })

  it('says "1 input is" for one', async () => {
    await writeInvalidInputsSummary(
      new InvalidInputsError([new InputProblem('wait', 'maybe', 'x')])
    )
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      '<p><strong>1 input is invalid, so nothing was sent to SendGrid.</strong></p>'
    )
  })
})

describe('the summary of campaigns alone', () => {
  it('has no "Other segments" and no "Nothing to refresh" when there are none, and labels a cancel', async () => {
    const cancelled = result('s-1', 'VIP', 'cancelled', { singleSendIds: ['c-1'] })
    await writeSummary(
      { results: [cancelled], singleSends: [campaign({ segmentIds: ['s-1'] })] },
      { timeZone: 'UTC', recomputedBy: 'sample_updated_at' } as Settings,
      now
    )
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<td>VIP</td><td>⏹ cancelled</td>')
    expect(summary).not.toContain('Other segments')
    expect(summary).not.toContain('Nothing to refresh')
  })
})
