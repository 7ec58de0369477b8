// The run `npm run demo` shows and `npm run docs:summary` pictures: three audiences against the local
// simulator, one of each kind a person meets: refreshed with a change in contacts, fresh already
// (SendGrid's schedule recomputed it minutes ago), and rate-limited (refreshed 45 minutes ago: one an hour).
// With `contactJob`, as `npm run demo` runs it, the pipeline has just written contacts: their job
// finishes 2 s into the run, so the segment recomputed 8 minutes ago is refreshed too.
import { runAction } from '../../__tests__/support/run-action.js'
import { demoApiKey, startSimulator } from '../../__tests__/support/sendgrid-simulator.js'

export const demoSegments = {
  spring: 'b1a7c2de-0f3a-4c5b-9d6e-7f8091a2b3c4',
  newsletter: 'e4d0f5a1-3c6d-4f8e-a091-a223b4c5d6e7',
  vip: 'c2b8d3ef-1a4b-4d6c-8e7f-809102b3c4d5'
}

export const demoContactJob = 'a3f1c9e2-7b4d-4e8a-9c61-2d5e8f0b1a7c'

export async function runDemoScenario({ contactJob = false } = {}) {
  const now = Date.now()
  const minute = 60_000
  // Refreshed 45 minutes ago: today in Berlin, or yesterday in Berlin's first 45 minutes.
  const vipRefreshedAt = now - 45 * minute
  const simulator = await startSimulator({
    contactJobs: [
      {
        id: demoContactJob,
        finishesAt: now + 2000,
        status: 'errored',
        requestedCount: 40,
        erroredCount: 6
      }
    ],
    refreshDelayMs: 1500,
    segments: [
      {
        id: demoSegments.spring,
        name: 'Spring sale, EU customers',
        contactsCount: 1200,
        contactsCountAfterRefresh: 1234
      },
      {
        id: demoSegments.newsletter,
        name: 'Newsletter subscribers',
        contactsCount: 5210,
        sampleUpdatedAt: now - 8 * minute
      },
      {
        id: demoSegments.vip,
        name: 'VIP customers',
        contactsCount: 87,
        timeZone: 'Europe/Berlin',
        refreshTimes: [vipRefreshedAt],
        lastRefreshedAt: vipRefreshedAt
      }
    ]
  })
  try {
    const run = await runAction({
      'api-key': demoApiKey,
      'api-url': simulator.url,
      'segment-ids': demoSegments.spring,
      'segment-names': 'Newsletter subscribers\nVIP customers',
      'time-zone': 'Europe/Berlin',
      'fresh-within-minutes': '30',
      wait: 'true',
      'wait-interval-seconds': '0.5',
      ...(contactJob ? { 'contact-job-ids': demoContactJob } : {})
    })
    return { run, simulatorUrl: simulator.url }
  } finally {
    await simulator.close()
  }
}
