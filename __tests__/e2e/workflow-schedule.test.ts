// End to end, a scheduled run reads its whole workflow through GitHub's contents API (a stand-in on
// GITHUB_API_URL) at the commit it ran from, and judges every cron line together; when it cannot, it
// judges the line that fired it and says why. One runtime (Node 24): e2e/schedule runs the fall-back
// under both.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { startGitHubApi } from '../../tools/github-api.js'
import { startRefusingProxy } from '../support/refusing-proxy.js'

const { node } = runtimes[runtimes.length - 1]
const segment = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const token = 'ghs_stand-in-token-0123456789'
const workflowPath = '.github/workflows/refresh.yml'
const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-e2e-workflow-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))
const coverageTitle = 'title=Campaigns can fall between scheduled runs'

const workflow = (on: string) => `name: Refresh before campaigns
${on}
jobs:
  refresh:
    runs-on: ubuntu-latest
    steps:
      - uses: octo-org/refresh-segment@v2
`

let simulator: Awaited<ReturnType<typeof startSimulator>>
let github: Awaited<ReturnType<typeof startGitHubApi>>
afterEach(async () => {
  await simulator?.close()
  await github?.close()
})

async function run(options: {
  file?: string
  status?: number
  fired: string
  lookAhead: string
  eventName?: string
  githubToken?: string
}) {
  simulator = await startSimulator({
    segments: [{ id: segment, name: 'VIP customers' }],
    singleSends: [
      {
        id: 'bf000000-0000-4000-8000-000000000001',
        name: 'Black Friday',
        status: 'scheduled',
        sendAt: Date.now() + 20 * 60_000,
        segmentIds: [segment]
      }
    ]
  })
  github = await startGitHubApi(
    options.file === undefined ? {} : { [workflowPath]: options.file },
    {
      status: options.status
    }
  )
  const eventPath = join(workDir, `event-${Math.random()}.json`)
  writeFileSync(eventPath, JSON.stringify({ schedule: options.fired, repository: {} }))
  const result = await runAction(
    {
      'api-key': demoApiKey,
      'api-url': simulator.url,
      'single-sends-within-minutes': options.lookAhead,
      'github-token': options.githubToken ?? token
    },
    {
      node,
      env: {
        GITHUB_EVENT_NAME: options.eventName ?? 'schedule',
        GITHUB_EVENT_PATH: eventPath,
        ...github.env(workflowPath)
      }
    }
  )
  const annotations = annotationsIn(result.stdout)
  return {
    ...result,
    warnings: annotations.filter((a) => a.properties === coverageTitle).map((a) => a.message),
    notices: annotations.filter((a) => a.level === 'notice').map((a) => a.message)
  }
}

describe('a scheduled run reads its whole schedule', () => {
  it('judges two lines together: every 30 minutes, looking 45 ahead, is covered', async () => {
    const { exitCode, warnings, stdout, stderr } = await run({
      file: workflow("on:\n  schedule:\n    - cron: '7 * * * *'\n    - cron: '37 * * * *'"),
      fired: '7 * * * *',
      lookAhead: '45'
    })
    expect(exitCode).toBe(0)
    expect(warnings).toEqual([])
    expect(github.requests).toHaveLength(1)
    const [request] = github.requests
    expect(request.method).toBe('GET')
    expect(request.url).toBe(
      `/repos/octo-org/marketing/contents/${workflowPath.replace(/\//g, '%2F')}?ref=${'a'.repeat(40)}`
    )
    expect(request.headers.authorization).toMatch(new RegExp(`^(token|Bearer) ${token}$`))
    // The token is masked, and appears in no other line.
    const lines = (stdout + stderr).split('\n').filter((line) => line !== `::add-mask::${token}`)
    expect(lines.join('\n')).not.toContain(token)
    expect(stdout).toContain(`::add-mask::${token}`)
  })

  it('gives the longest gap of business hours and a night run under a quoted "on" key', async () => {
    const { exitCode, warnings } = await run({
      file: workflow(
        `"on":\n  schedule:\n    - cron: '7,37 6-21 * * *'\n    - cron: '7 2 * * *'\n  workflow_dispatch:`
      ),
      fired: '7,37 6-21 * * *',
      lookAhead: '60'
    })
    expect(exitCode).toBe(0)
    expect(warnings).toEqual([
      "This workflow's schedule (`7,37 6-21 * * *` and `7 2 * * *`) leaves up to 4 h 30 min between two runs, from a run of `7,37 6-21 * * *` to the next, of `7 2 * * *`, but single-sends-within-minutes looks only 60 minutes ahead: a campaign that goes out between two runs gets no refresh. Looking 4 h 30 min ahead would refresh audiences long before they are sent: run the workflow more often instead (for example `7,37 * * * *`, every 30 minutes, with single-sends-within-minutes: 45)."
    ])
  })

  it('names every line that fires at minute 0', async () => {
    const { notices } = await run({
      file: workflow("on:\n  schedule:\n    - cron: '0 * * * *'\n    - cron: '30 * * * *'"),
      fired: '0 * * * *',
      lookAhead: '45'
    })
    expect(notices).toContainEqual(
      'The schedule line `0 * * * *` fires at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load). An offset minute starts on time more often: such as `7 * * * *` for `0 * * * *`.'
    )
  })

  it('judges the line that fired when GitHub refuses, says which permission is missing, and goes on', async () => {
    const { exitCode, warnings, stdout } = await run({
      status: 403,
      fired: '0 */2 * * *',
      lookAhead: '60'
    })
    expect(exitCode).toBe(0)
    expect(github.requests).toHaveLength(1)
    expect(warnings).toEqual([
      expect.stringMatching(/^This schedule line \(`0 \*\/2 \* \* \*`\) runs every 120 minutes/)
    ])
    const told = stdout.split('\n').filter((line) => line.includes('whole schedule was not read'))
    expect(told).toEqual([
      `The workflow's whole schedule was not read, so only the line that fired this run is judged: GitHub refused to let the token read ${workflowPath} (HTTP 403): give the job the permission \`contents: read\` (under \`permissions:\`).`
    ])
  })

  it('asks GitHub nothing without a token, and falls back the same way', async () => {
    const { exitCode, warnings, stdout } = await run({
      file: workflow("on:\n  schedule:\n    - cron: '7 * * * *'\n    - cron: '37 * * * *'"),
      fired: '7 * * * *',
      lookAhead: '45',
      githubToken: ''
    })
    expect(exitCode).toBe(0)
    expect(github.requests).toEqual([])
    expect(warnings).toEqual([
      expect.stringContaining('This schedule line (`7 * * * *`) runs every 60 minutes')
    ])
    expect(stdout).toContain(
      'only the line that fired this run is judged: no github-token was given.'
    )
  })

  it('asks GitHub nothing on a workflow_dispatch run', async () => {
    const { exitCode, warnings } = await run({
      file: workflow("on:\n  schedule:\n    - cron: '0 * * * *'"),
      fired: '0 * * * *',
      lookAhead: '30',
      eventName: 'workflow_dispatch'
    })
    expect(exitCode).toBe(0)
    expect(github.requests).toEqual([])
    expect(warnings).toEqual([])
  })

  it("goes to GitHub through the runner's https_proxy, never showing the token to the proxy", async () => {
    const proxy = await startRefusingProxy()
    const { connects } = proxy
    simulator = await startSimulator({ segments: [{ id: segment }] })
    const eventPath = join(workDir, `event-${Math.random()}.json`)
    writeFileSync(eventPath, JSON.stringify({ schedule: '7 * * * *' }))
    try {
      const { exitCode, stdout } = await runAction(
        {
          'api-key': demoApiKey,
          'api-url': simulator.url,
          'single-sends-within-minutes': '45',
          'github-token': token
        },
        {
          node,
          env: {
            GITHUB_EVENT_NAME: 'schedule',
            GITHUB_EVENT_PATH: eventPath,
            GITHUB_API_URL: 'https://api.github.invalid',
            GITHUB_WORKFLOW_REF: `octo-org/marketing/${workflowPath}@refs/heads/main`,
            GITHUB_WORKFLOW_SHA: 'a'.repeat(40),
            https_proxy: proxy.url,
            // The simulator is on loopback, which goes direct.
            no_proxy: '127.0.0.1'
          }
        }
      )
      expect(exitCode).toBe(0)
      expect(connects.map((c) => c.target)).toEqual(['api.github.invalid:443'])
      expect(connects[0].headers).not.toContain(token)
      expect(stdout).toContain(
        `only the line that fired this run is judged: reading ${workflowPath} from GitHub failed (`
      )
    } finally {
      await proxy.close()
    }
  })
})
