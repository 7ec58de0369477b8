// Reading the running workflow's schedule from GitHub's contents API (a stand-in on loopback):
// where the file is, the token, YAML 1.2's `on`, and every reason to fall back.
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  cronLinesIn,
  readWorkflowSchedule,
  workflowFileOf
} from '../../src/github/workflow-schedule.js'
import { startGitHubApi } from '../../tools/github-api.js'

const path = '.github/workflows/refresh.yml'
const sha = 'a'.repeat(40)
const fired = { payload: { schedule: '7 * * * *' } }
const signal = new AbortController().signal
let github: Awaited<ReturnType<typeof startGitHubApi>> | undefined
afterEach(async () => {
  await github?.close()
  github = undefined
})

describe('workflowFileOf', () => {
  it("takes the file's repository and path from GITHUB_WORKFLOW_REF and its commit from GITHUB_WORKFLOW_SHA", () => {
    expect(
      workflowFileOf({
        GITHUB_WORKFLOW_REF: `octo-org/marketing/${path}@refs/heads/release@2`,
        GITHUB_WORKFLOW_SHA: sha
      })
    ).toEqual({ owner: 'octo-org', repo: 'marketing', path, sha })
  })

  it('takes nothing but a whole ref and a whole commit SHA', () => {
    const sha40 = { GITHUB_WORKFLOW_SHA: sha }
    const unreadRef = { unread: 'GITHUB_WORKFLOW_REF does not name the workflow file' }
    expect(workflowFileOf({ ...sha40, GITHUB_WORKFLOW_REF: `/o/r/${path}@main` })).toEqual(
      unreadRef
    )
    expect(workflowFileOf({ ...sha40, GITHUB_WORKFLOW_REF: `o/r/${path}@main\nx` })).toEqual(
      unreadRef
    )
    const unreadSha = { unread: 'GITHUB_WORKFLOW_SHA is not set' }
    const ref = { GITHUB_WORKFLOW_REF: `o/r/${path}@main` }
    expect(workflowFileOf({ ...ref, GITHUB_WORKFLOW_SHA: `g${sha}` })).toEqual(unreadSha)
    expect(workflowFileOf({ ...ref, GITHUB_WORKFLOW_SHA: `${sha}0` })).toEqual(unreadSha)
    expect(workflowFileOf({ ...ref, GITHUB_WORKFLOW_SHA: sha.toUpperCase() })).toMatchObject({
      sha: sha.toUpperCase()
    })
  })

  it('says which variable is missing', () => {
    expect(workflowFileOf({ GITHUB_WORKFLOW_SHA: sha })).toEqual({
      unread: 'GITHUB_WORKFLOW_REF does not name the workflow file'
    })
    expect(
      workflowFileOf({ GITHUB_WORKFLOW_REF: 'octo-org/marketing', GITHUB_WORKFLOW_SHA: sha })
    ).toEqual({
      unread: 'GITHUB_WORKFLOW_REF does not name the workflow file'
    })
    expect(
      workflowFileOf({ GITHUB_WORKFLOW_REF: `o/r/${path}@main`, GITHUB_WORKFLOW_SHA: 'main' })
    ).toEqual({
      unread: 'GITHUB_WORKFLOW_SHA is not set'
    })
    expect(workflowFileOf({ GITHUB_WORKFLOW_REF: `o/r/${path}@main` })).toEqual({
      unread: 'GITHUB_WORKFLOW_SHA is not set'
    })
  })
})

describe('cronLinesIn', () => {
  it('reads every cron line under on.schedule, the key quoted or not, as YAML 1.2 does', () => {
    const lines =
      "  schedule:\n    - cron: '7 * * * *'\n    - cron: 37 * * * *\n    - {}\n    - '5 * * * *'\n    - cron: 5\n"
    expect(cronLinesIn(`on:\n${lines}`, path)).toEqual(['7 * * * *', '37 * * * *'])
    expect(cronLinesIn(`"on":\n${lines}`, path)).toEqual(['7 * * * *', '37 * * * *'])
    expect(cronLinesIn(`'on':\n${lines}  push:\n`, path)).toEqual(['7 * * * *', '37 * * * *'])
  })

  it('says when there is no schedule to read, or no YAML', () => {
    const none = { unread: `${path} has no on.schedule cron line` }
    expect(cronLinesIn('on: push\n', path)).toEqual(none)
    expect(cronLinesIn('on:\n  schedule: daily\n', path)).toEqual(none)
    expect(cronLinesIn('- just\n- a list\n', path)).toEqual(none)
    expect(cronLinesIn('on: [schedule]\n', path)).toEqual(none)
    expect(cronLinesIn('on: {\n', path)).toEqual({
      unread: `${path} is not YAML this action can read`
    })
  })
})

describe('readWorkflowSchedule', () => {
  it('reads the file at the commit the run came from, with the token, on GITHUB_API_URL', async () => {
    github = await startGitHubApi({ [path]: "on:\n  schedule:\n    - cron: '7 * * * *'\n" })
    expect(await readWorkflowSchedule('ghs_token', github.env(path), signal, 5000, fired)).toEqual({
      fired: '7 * * * *',
      lines: ['7 * * * *']
    })
    expect(github.requests).toHaveLength(1)
    expect(github.requests[0].url).toBe(
      `/repos/octo-org/marketing/contents/.github%2Fworkflows%2Frefresh.yml?ref=${sha}`
    )
    expect(github.requests[0].headers.authorization).toMatch(/^(token|Bearer) ghs_token$/)
  })

  it('asks nothing without a token, and knows no fired line without one in the event', async () => {
    github = await startGitHubApi({})
    expect(await readWorkflowSchedule('', github.env(path), signal, 5000, { payload: {} })).toEqual(
      {
        fired: null,
        lines: { unread: 'no github-token was given' }
      }
    )
    expect(
      await readWorkflowSchedule('ghs_token', {}, signal, 5000, { payload: { schedule: 5 } })
    ).toEqual({
      fired: null,
      lines: { unread: 'GITHUB_WORKFLOW_REF does not name the workflow file' }
    })
    expect(github.requests).toEqual([])
  })

  it.each([
    [
      403,
      `GitHub refused to let the token read ${path} (HTTP 403): give the job the permission \`contents: read\` (under \`permissions:\`)`
    ],
    [
      401,
      `GitHub refused to let the token read ${path} (HTTP 401): give the job the permission \`contents: read\` (under \`permissions:\`)`
    ],
    [404, `GitHub found no ${path} at the commit this run came from (HTTP 404)`],
    [500, `GitHub answered HTTP 500 to reading ${path}`]
  ])('falls back on HTTP %i, saying why', async (status, why) => {
    github = await startGitHubApi({}, { status })
    const read = await readWorkflowSchedule('ghs_token', github.env(path), signal, 5000, fired)
    expect(read).toEqual({ fired: '7 * * * *', lines: { unread: why } })
  })

  it('falls back on a file it does not have, one that is not a file, or one too large', async () => {
    github = await startGitHubApi({
      [path]: `on:\n  schedule:\n    - cron: '7 * * * *'\n#${'x'.repeat(1024 * 1024)}`
    })
    expect(await readWorkflowSchedule('ghs_token', github.env(path), signal, 5000, fired)).toEqual({
      fired: '7 * * * *',
      lines: { unread: `${path} is larger than 1 MiB` }
    })
    expect(
      await readWorkflowSchedule(
        'ghs_token',
        github.env('.github/workflows/other.yml'),
        signal,
        5000,
        fired
      )
    ).toEqual({
      fired: '7 * * * *',
      lines: {
        unread:
          'GitHub found no .github/workflows/other.yml at the commit this run came from (HTTP 404)'
      }
    })
  })

  it('falls back on a path that GitHub lists as a directory', async () => {
    github = await startGitHubApi({}, { directories: [path] })
    expect(await readWorkflowSchedule('ghs_token', github.env(path), signal, 5000, fired)).toEqual({
      fired: '7 * * * *',
      lines: { unread: `${path} is not a file GitHub shows the text of` }
    })
  })

  it('takes GITHUB_API_URL with trailing slashes as the same host', async () => {
    github = await startGitHubApi({ [path]: "on:\n  schedule:\n    - cron: '7 * * * *'\n" })
    const env = { ...github.env(path), GITHUB_API_URL: `${github.url}//` }
    expect(await readWorkflowSchedule('ghs_token', env, signal, 5000, fired)).toEqual({
      fired: '7 * * * *',
      lines: ['7 * * * *']
    })
  })

  it('reads only a file with text: not a link, nor an answer without content', async () => {
    github = await startGitHubApi(
      {},
      {
        answers: {
          [path]: { type: 'symlink', content: Buffer.from('on: push').toString('base64') },
          '.github/workflows/empty.yml': { type: 'file', encoding: 'none' }
        }
      }
    )
    for (const file of [path, '.github/workflows/empty.yml']) {
      expect(
        await readWorkflowSchedule('ghs_token', github.env(file), signal, 5000, fired)
      ).toEqual({
        fired: '7 * * * *',
        lines: { unread: `${file} is not a file GitHub shows the text of` }
      })
    }
  })

  it('reads a file of exactly 1 MiB', async () => {
    const head = "on:\n  schedule:\n    - cron: '7 * * * *'\n#"
    github = await startGitHubApi({ [path]: head + 'x'.repeat(1024 * 1024 - head.length) })
    expect(await readWorkflowSchedule('ghs_token', github.env(path), signal, 5000, fired)).toEqual({
      fired: '7 * * * *',
      lines: ['7 * * * *']
    })
  })

  it('falls back when GitHub cannot be reached, naming the error', async () => {
    const read = await readWorkflowSchedule(
      'ghs_token',
      {
        GITHUB_API_URL: 'http://127.0.0.1:1',
        GITHUB_WORKFLOW_REF: `o/r/${path}@main`,
        GITHUB_WORKFLOW_SHA: sha
      },
      signal,
      5000,
      fired
    )
    expect(read.lines).toEqual({
      unread: expect.stringMatching(
        new RegExp(`^reading ${path.replace(/\./g, '\\.')} from GitHub failed \\(.+\\)$`)
      )
    })
  })
})
