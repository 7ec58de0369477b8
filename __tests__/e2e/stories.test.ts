// The stories a user tries locally, at the suite's instant: `npm run demo -- STORY` end to end, the
// simulator started by hand (`npm run -s simulator -- --help | --scenario FILE`), and local-action.
// How the demo itself behaves, whatever the hour, is e2e/story-runner.
import { describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot, runAction } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { readScenario, scenariosDir, simulatorOptions } from '../../tools/simulator/scenario.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { startSimulatorProcess } from '../support/simulator-process.js'
import { clockForChild } from '../../tools/test-clock/clock.js'
import { demo, outputsOf, stories } from '../support/demo.js'

describe('npm run demo -- STORY', () => {
  it('runs every story end to end, each run ending as the story expects', async () => {
    const results = await Promise.all(
      stories.map(async (name) => ({ name, ...(await demo(name)) }))
    )
    const ran = Object.fromEntries(results.map((r) => [r.name, r]))
    for (const { name, status, stdout, stderr } of results) {
      expect({ name, status, stderr }).toEqual({ name, status: 0, stderr: '' })
      expect(stdout).toContain(`Story ${name}: every run ended as the story expects.`)
      expect(stdout).not.toMatch(/<\/?(table|tr|td|p|h2|details)\b/)
    }
    const [byName] = outputsOf(ran['segments-by-name'].stdout)
    expect(byName.ready).toBe('true')
    expect(JSON.parse(byName.refreshed)).toHaveLength(2)

    // A re-run within the hour of a refresh SendGrid recomputed is fresh, window or none.
    const [first, fresh, freshWithoutWindow] = outputsOf(ran['re-run'].stdout)
    expect(
      [first.refreshed, fresh.fresh, freshWithoutWindow.fresh].map((o) => JSON.parse(o))
    ).toEqual([
      ['434913d5-92f6-4c4a-b9a5-25d4e2ebd9b5'],
      ['434913d5-92f6-4c4a-b9a5-25d4e2ebd9b5'],
      ['434913d5-92f6-4c4a-b9a5-25d4e2ebd9b5']
    ])
    expect([fresh.ready, freshWithoutWindow.ready]).toEqual(['true', 'true'])
    expect(fresh['job-ids']).toBe('{}')
    expect(freshWithoutWindow['job-ids']).toBe('{}')
    expect(ran['re-run'].stdout).toContain('fresh-within-minutes')

    const [campaign] = outputsOf(ran['campaign-due-soon'].stdout)
    expect(JSON.parse(campaign['single-sends'])).toEqual([
      expect.objectContaining({
        name: 'Spring sale launch',
        segment_ids: ['a3283aa1-0164-48c4-b16c-955eb1da5dbc']
      })
    ])
    expect(JSON.parse(campaign.refreshed)).toEqual(['a3283aa1-0164-48c4-b16c-955eb1da5dbc'])

    const [imported] = outputsOf(ran['after-contact-import'].stdout)
    expect(JSON.parse(imported['contact-jobs'])).toEqual([
      expect.objectContaining({ status: 'completed' })
    ])
    expect(JSON.parse(imported['contacts-counts'])).toEqual({
      '9ac184aa-035f-4cf8-8fe4-3cd03bf9fcd8': 560
    })

    const [failedImport] = outputsOf(ran['failed-contact-import'].stdout)
    expect(failedImport.refreshed).toBe('[]')
    expect(ran['failed-contact-import'].stdout).toContain('exit status: 1, as this story expects')

    const [cancelled, rerun] = outputsOf(ran['cancelled-wait'].stdout)
    expect(JSON.parse(cancelled['job-ids'])).toEqual({
      '7e5c2a91-4b8d-4f3e-a6c0-d2b9e8f1a4c7': expect.stringMatching(/^[0-9a-f-]{36}$/)
    })
    // The re-run waits for the refresh the cancelled run spent, and spends none of its own.
    expect([rerun.ready, rerun.refreshed, rerun.fresh]).toEqual([
      'true',
      '[]',
      '["7e5c2a91-4b8d-4f3e-a6c0-d2b9e8f1a4c7"]'
    ])
    expect(ran['cancelled-wait'].stdout).toContain('exit status: 1, as this story expects')
  }, 60_000)
})

describe('npm run -s simulator', () => {
  it('prints its options for --help and exits 0, with no npm banner before them', () => {
    // npm itself, run by Node (npm sets npm_execpath for the scripts it runs); outside npm, the script.
    const npm = process.env.npm_execpath
    const help = spawnSync(
      machineNodePath,
      npm?.endsWith('.js')
        ? [npm, 'run', '-s', 'simulator', '--', '--help']
        : ['tools/simulator/cli.js', '--help'],
      { cwd: projectRoot, encoding: 'utf8' }
    )
    expect(help.status).toBe(0)
    expect(help.stdout.split('\n')[0]).toBe('Usage: npm run -s simulator -- [options]')
    for (const option of [
      '--scenario FILE',
      '--segment ID=NAME',
      '--port N',
      '--refresh-delay-ms N',
      '--help'
    ])
      expect(help.stdout).toContain(`  ${option}`)
    expect(help.stdout).toContain(demoApiKey)
  })

  it.each([
    [['--segmnt', 'x'], "Unknown option '--segmnt'"],
    [['--port', 'eighty'], '--port must be a whole number of 0 or more, not "eighty".'],
    [
      ['--segment', 'bad'],
      '--segment must be UUID=Name, such as 1588e03b-50aa-454a-97d1-e1530345a5ec=Spring sale, not "bad".'
    ],
    [
      ['--scenario', 'no-such-story'],
      '--scenario: no file "no-such-story", and no scenario of that name.'
    ]
  ])('refuses %j with a clear message and exit 2', (args, message) => {
    const run = spawnSync(machineNodePath, ['tools/simulator/cli.js', ...args], {
      cwd: projectRoot,
      encoding: 'utf8'
    })
    expect(run.stderr).toContain(message)
    expect(run.status).toBe(2)
  })

  const workflowSegment = '1588e03b-50aa-454a-97d1-e1530345a5ec'
  it.each([
    {
      what: 'segments given with --segment, as CI starts it for a workflow step (uses: ./)',
      args: ['--segment', `${workflowSegment}=Spring sale`],
      inputs: { 'segment-names': 'Spring sale' } as Record<string, string>,
      refreshed: [workflowSegment],
      listed: [`${workflowSegment}  Spring sale`]
    },
    {
      what: 'a scenario file, where the action finds the Single Send due soon',
      args: ['--scenario', join(scenariosDir, 'campaign-due-soon.json')],
      inputs: { 'single-sends-within-minutes': '60' } as Record<string, string>,
      refreshed: ['a3283aa1-0164-48c4-b16c-955eb1da5dbc'],
      listed: [
        'a3283aa1-0164-48c4-b16c-955eb1da5dbc  Spring sale',
        'Single Send f425b9e6-8d72-47a7-b9ed-36acfaa6ef9f  Spring sale launch'
      ]
    }
  ])(
    'serves $what: its URL first, until stopped by SIGTERM',
    async ({ args, inputs, refreshed, listed }) => {
      const simulator = await startSimulatorProcess([...args, '--refresh-delay-ms', '0'])
      try {
        expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const run = await runAction({ 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs })
        expect(run.exitCode).toBe(0)
        expect(JSON.parse(run.outputs.refreshed)).toEqual(refreshed)
        for (const line of listed) expect(simulator.stderr()).toContain(line)
      } finally {
        const code = await simulator.stop()
        // Windows has no signals: kill() ends the process there without a handler running.
        if (process.platform !== 'win32') expect(code).toBe(0)
      }
    }
  )
})

describe('npm run local-action', () => {
  it("runs src/main.ts under GitHub's local-action with the inputs of .env.example", async () => {
    const scenario = readScenario(join(scenariosDir, 'segments-by-name.json'))
    const simulator = await startSimulator({
      ...simulatorOptions(scenario, Date.now()),
      refreshDelayMs: 0
    })
    const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-local-action-'))
    try {
      const example = readFileSync(join(projectRoot, '.env.example'), 'utf8')
      expect(example).toMatch(/^INPUT_API-URL=http:\/\/127\.0\.0\.1:3000$/m)
      const summary = join(dir, 'summary.md')
      writeFileSync(summary, '')
      const envFile = join(dir, '.env')
      writeFileSync(
        envFile,
        example
          .replace(/^INPUT_API-URL=.*$/m, `INPUT_API-URL=${simulator.url}`)
          .replace(/^GITHUB_STEP_SUMMARY=.*$/m, `GITHUB_STEP_SUMMARY=${summary}`)
      )
      const clock = clockForChild()
      const localAction = join(
        projectRoot,
        'node_modules',
        '@github',
        'local-action',
        'bin',
        'local-action.js'
      )
      // Not spawnSync: the simulator answers from this process.
      const child = spawn(machineNodePath, [localAction, 'run', '.', 'src/main.ts', envFile], {
        cwd: projectRoot,
        env: { ...process.env, ...clock.env, NODE_OPTIONS: clock.execArgv.join('=') }
      })
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      await new Promise((resolve) => child.on('close', resolve))
      const run = { stdout }
      expect(run.stdout).toContain(
        '::set-output name=refreshed::["3d291cfc-eced-4056-957b-b11ef3b41b9e","b45f7592-360d-4ea6-bfda-c6a796a858c1"]'
      )
      expect(run.stdout).toContain('::set-output name=ready::true')
      expect(readFileSync(summary, 'utf8')).toContain('All 2 audiences are ready to send to.')
    } finally {
      await simulator.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 100_000)
})
