// `npm run demo` as a new user runs it: the built action against the simulator, the summary as
// text. Its words hold times, so it runs at every instant of `npm run test:at`.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { projectRoot } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { clockForChild } from '../../tools/test-clock/clock.js'
import { countToday, wallClock } from '../support/wall-clock.js'

describe('npm run demo', () => {
  it("runs the Quick start's workflow with no story named: every audience ready", () => {
    const clock = clockForChild()
    const demo = spawnSync(machineNodePath, [...clock.execArgv, 'tools/demo.js'], {
      cwd: projectRoot,
      env: { ...process.env, ...clock.env },
      encoding: 'utf8'
    })
    expect(demo.status).toBe(0)
    expect(demo.stdout).toMatch(/^Story: quick-start$/m)
    const summary = demo.stdout.split('--- job summary (GITHUB_STEP_SUMMARY, shown as text) ---')[1]
    expect(summary).toMatch(/^All 2 audiences are ready to send to\.$/m)
    expect(summary).toMatch(/^EU customers +✅ refreshed +4,200 → 4,237 \(\+37\) /m)
    expect(summary).toMatch(/^EU newsletter +🟢 fresh +1,830 /m)
    expect(demo.stdout).toContain('Story quick-start: every run ended as the story expects.')
  }, 30_000)

  it('runs a story the built action against the simulator and prints the summary as text, not HTML', () => {
    const clock = clockForChild()
    const started = Date.now()
    const demo = spawnSync(
      machineNodePath,
      [...clock.execArgv, 'tools/demo.js', 'three-audiences'],
      {
        cwd: projectRoot,
        env: { ...process.env, ...clock.env },
        encoding: 'utf8'
      }
    )
    expect(demo.status).toBe(0)
    const summary = demo.stdout.split('--- job summary (GITHUB_STEP_SUMMARY, shown as text) ---')[1]
    expect(summary).toMatch(/^## SendGrid segment refresh$/m)
    expect(summary).toMatch(
      /^2 of 3 audiences are ready to send to: "Spring sale, EU customers" and "Newsletter subscribers"\. "VIP customers" can be refreshed again (tomorrow )?at \d\d:\d\d Europe\/Berlin, in /m
    )
    expect(summary).toMatch(
      /^Spring sale, EU customers +✅ refreshed +1,200 → 1,234 \(\+34\) +1 of 2 /m
    )
    expect(summary).toMatch(
      /^Contacts first: 1 job finished (yesterday )?at \d\d:\d\d Europe\/Berlin, 10 minutes ago; 34 of 40 contacts written, 6 rejected\.$/m
    )
    // Recomputed 8 minutes ago, 2 minutes after the contacts landed: fresh.
    expect(summary).toMatch(
      /^Newsletter subscribers +🟢 fresh +5,210 +0 of 2 +recomputed (yesterday )?at \d\d:\d\d Europe\/Berlin, 8 minutes ago, after the contacts landed$/m
    )
    // A refresh SendGrid accepted 12 minutes ago, before the contacts landed, and has not finished:
    // no refresh can be sent within the hour, and that one is not waited for. Today's count is the
    // Berlin day's: in Berlin's first 12 minutes, that refresh was yesterday.
    const vipRefreshedAt = started - 12 * 60_000
    expect(summary).toMatch(
      new RegExp(
        `^VIP customers +⏳ rate limited +87 +${countToday([vipRefreshedAt], 'Europe/Berlin')} of 2 +a refresh accepted ${wallClock(vipRefreshedAt, 'Europe/Berlin').replace(/\d\d:\d\d/, '\\d\\d:\\d\\d')}, 12 minutes ago, before the contacts landed, is still being recomputed$`,
        'm'
      )
    )
    expect(summary).not.toMatch(/<\/?(table|tr|td|th|p|h2|details|summary|code)\b/)
    expect(summary).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/)
  }, 30_000)
})
