// How the demo runs a story, whatever the hour: the list of stories, a cancel by message where no
// signal can be sent, a run that does not end as its story expects, and scenario files refused.
// The stories' own words, which hold times, are checked at every instant by e2e/stories.
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStory } from '../../tools/story.js'
import { listScenarios, readScenario, scenariosDir } from '../../tools/simulator/scenario.js'
import { demo, outputsOf, stories } from '../support/demo.js'

describe('npm run demo', () => {
  it("runs a story with inputs of one's own, its first run only, not held to what it expects", async () => {
    const run = await demo('segments-by-name', '--with', 'min-contacts=100000')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain(
      "With inputs of your own: min-contacts=100000. The story's first run only, not held to what the story expects."
    )
    expect(run.stdout).toMatch(/^min-contacts: 100000 {2}\(yours\)$/m)
    expect(run.stdout).toMatch(/^wait-interval-seconds: 0\.5 {2}\(a speed-up for the demo\)$/m)
    const [outputs] = outputsOf(run.stdout)
    expect(outputs.ready).toBe('false')
    expect(run.stdout).toContain('fewer than min-contacts (100000)')
    expect(run.stdout).toContain('Story segments-by-name, with inputs of your own: ran.')
  })

  it('refuses an input the action does not have, naming it and listing the inputs', async () => {
    const run = await demo('segments-by-name', '--with', 'no-such-input=1')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(
      '--with: "no-such-input" is no input of the action. The inputs: api-key, '
    )
    expect(run.stderr).toContain('min-contacts')
    const bare = await demo('segments-by-name', '--with', 'min-contacts')
    expect(bare.status).toBe(2)
    expect(bare.stderr).toContain('--with takes NAME=VALUE, not "min-contacts".')
  })

  it('lists every story with what it shows', async () => {
    const listed = await demo('--list')
    expect(listed.status).toBe(0)
    for (const { name, description } of listScenarios()) {
      expect(listed.stdout).toMatch(
        new RegExp(`^  ${name} +${description.slice(0, 40).replace(/[().]/g, '\\$&')}`, 'm')
      )
    }
    expect(listScenarios().map((s) => s.name)).toEqual(stories)
  })

  it('cancels by a message where no Ctrl-C can be sent (Windows), with what a signal gives', async () => {
    const scenario = readScenario(join(scenariosDir, 'cancelled-wait.json'))
    const {
      runs: [cancelled]
    } = await runStory(scenario, { cancelBy: 'message' })
    expect(cancelled.run.exitCode).toBe(1)
    expect(JSON.parse(cancelled.run.outputs.refreshed)).toEqual([
      '7e5c2a91-4b8d-4f3e-a6c0-d2b9e8f1a4c7'
    ])
    expect(cancelled.run.summary).toContain(
      'Cancelled after 1 refresh: &quot;Spring sale&quot; was refreshed'
    )
  }, 30_000)

  it('exits 1 when a run does not end as its story expects, naming what was expected and what happened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-story-'))
    try {
      const scenario = JSON.parse(readFileSync(join(scenariosDir, 'segments-by-name.json'), 'utf8'))
      scenario.runs[0].expect.outcomes['VIP customers'] = 'fresh'
      scenario.runs[0].expect.exit = 1
      scenario.runs[0].expect.summary = ['words no summary holds']
      const file = join(dir, 'expects-a-failure.json')
      writeFileSync(file, JSON.stringify(scenario))
      const run = await demo(file)
      expect(run.stdout).toContain(
        'Not as the story expects:\n  VIP customers: expected fresh, was refreshed\n  exit status: expected 1, was 0\n  summary: expected to say "words no summary holds"\n'
      )
      expect(run.stdout).toContain('1 run(s) did not end as the story expects.')
      expect(run.status).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)

  it('names the stories when asked for one that does not exist', async () => {
    const run = await demo('no-such-story')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(
      'No story "no-such-story". The stories: after-contact-import, busy-account, campaign-due-soon,'
    )
  })
})

describe('scenario files', () => {
  const write = (content: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-scenario-'))
    const file = join(dir, 'scenario.json')
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
    return { file, done: () => rmSync(dir, { recursive: true, force: true }) }
  }
  const segment = { id: 'seg', name: 'Spring sale' }

  it.each([
    [{ sendgrid: {} }, 'the file needs "description"'],
    [
      { description: 'x', sendgrid: { segments: [{ ...segment, contact: 5 }] } },
      'sendgrid.segments[0] has "contact", which is none of: id, name, contacts,'
    ],
    [
      { description: 'x', sendgrid: { segments: [{ ...segment, contacts: '5' }] } },
      'sendgrid.segments[0].contacts must be a number, not string'
    ],
    [
      { description: 'x', sendgrid: { contactJobs: [{ status: 'failed' }] } },
      'sendgrid.contactJobs[0] needs "id"'
    ],
    [
      { description: 'x', sendgrid: {}, runs: [{ title: 't', inputs: {}, cancelAfter: 3 }] },
      'runs[0] needs "expect"'
    ],
    [
      {
        description: 'x',
        sendgrid: {},
        runs: [{ title: 't', inputs: {}, expect: { outcomes: {}, ready: 'yes', exit: 0 } }]
      },
      'runs[0].expect.ready must be a boolean, not string'
    ],
    ['{ "description": ', '']
  ])('refuses a mistake, naming the file and the key: %j', (content, message) => {
    const { file, done } = write(content)
    try {
      expect(() => readScenario(file)).toThrow(`Scenario ${file}: ${message}`)
    } finally {
      done()
    }
  })
})
