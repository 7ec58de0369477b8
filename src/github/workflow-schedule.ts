// The whole schedule of the workflow that is running, read through GitHub's API at the commit it
// ran from. Loaded only on a scheduled run (a chunk of its own): no other run pays for the GitHub
// client. Every failure is a reason to fall back, never an error.
import { context as runnerContext, getOctokit } from '@actions/github'
import { parse } from 'yaml'
import { isRecord } from '../sendgrid/json.js'
import { userAgent } from '../sendgrid/client.js'
import { fetchThroughHttpClient } from './fetch.js'

/** A workflow file is a few kB; GitHub inlines files up to 1 MB. */
const maxWorkflowBytes = 1024 * 1024

export interface WorkflowSchedule {
  /** The cron line that fired this run (the event's `schedule`), or null. */
  fired: string | null
  /** Every `on.schedule[].cron` of the workflow, or why they could not be read. */
  lines: string[] | { unread: string }
}

/** Where the running workflow's file is: `owner/repo/PATH@REF` and the commit it came from. */
export function workflowFileOf(
  env: NodeJS.ProcessEnv
): { owner: string; repo: string; path: string; sha: string } | { unread: string } {
  const ref = env.GITHUB_WORKFLOW_REF
  // A ref may hold '@' too; the workflow file's name ends in .yml or .yaml.
  const match = ref ? /^([^/]+)\/([^/]+)\/(.+?\.ya?ml)@(.*)$/.exec(ref) : null
  if (!match) return { unread: 'GITHUB_WORKFLOW_REF does not name the workflow file' }
  const sha = env.GITHUB_WORKFLOW_SHA
  if (!sha || !/^[0-9a-f]{40}$/i.test(sha)) return { unread: 'GITHUB_WORKFLOW_SHA is not set' }
  const [, owner, repo, path] = match
  return { owner, repo, path, sha }
}

/**
 * The line that fired this run and every cron line of its workflow file. The token goes only to
 * `GITHUB_API_URL` (GitHub Enterprise Server included), through the runner's proxy settings, and
 * no redirect is followed.
 */
export async function readWorkflowSchedule(
  token: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  timeoutMs: number,
  context: { payload: Record<string, unknown> } = runnerContext
): Promise<WorkflowSchedule> {
  const fired = typeof context.payload.schedule === 'string' ? context.payload.schedule : null
  if (!token) return { fired, lines: { unread: 'no github-token was given' } }
  const file = workflowFileOf(env)
  if ('unread' in file) return { fired, lines: file }
  const baseUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
  let text: string
  try {
    const octokit = getOctokit(token, {
      baseUrl,
      userAgent,
      request: { signal, fetch: fetchThroughHttpClient(userAgent, timeoutMs) }
    })
    const { data } = await octokit.rest.repos.getContent({
      owner: file.owner,
      repo: file.repo,
      path: file.path,
      ref: file.sha
    })
    if (!isRecord(data) || data.type !== 'file' || typeof data.content !== 'string')
      return { fired, lines: { unread: `${file.path} is not a file GitHub shows the text of` } }
    text = Buffer.from(data.content, 'base64').toString('utf8')
  } catch (error) {
    return { fired, lines: { unread: whyNotRead(error, file.path) } }
  }
  if (text.length > maxWorkflowBytes)
    return { fired, lines: { unread: `${file.path} is larger than 1 MiB` } }
  return { fired, lines: cronLinesIn(text, file.path) }
}

function whyNotRead(error: unknown, path: string): string {
  // Octokit gives every failure a status; only one with a response is GitHub's answer.
  const answered = isRecord(error) && isRecord(error.response)
  const status = answered && typeof error.status === 'number' ? error.status : null
  if (status === 403 || status === 401)
    return `GitHub refused to let the token read ${path} (HTTP ${status}): give the job the permission \`contents: read\` (under \`permissions:\`)`
  if (status === 404) return `GitHub found no ${path} at the commit this run came from (HTTP 404)`
  if (status !== null) return `GitHub answered HTTP ${status} to reading ${path}`
  const message = error instanceof Error ? error.message : String(error)
  return `reading ${path} from GitHub failed (${message.split('\n')[0].slice(0, 200)})`
}

/**
 * Every `on.schedule[].cron` of a workflow, read as YAML 1.2: an `on:` key, quoted or not, is the
 * string "on", never `true`.
 */
export function cronLinesIn(text: string, path: string): string[] | { unread: string } {
  let workflow: unknown
  try {
    workflow = parse(text)
  } catch {
    return { unread: `${path} is not YAML this action can read` }
  }
  const on = isRecord(workflow) ? workflow.on : null
  const schedule = isRecord(on) ? on.schedule : null
  const lines = Array.isArray(schedule)
    ? schedule.flatMap((entry) =>
        isRecord(entry) && typeof entry.cron === 'string' ? [entry.cron] : []
      )
    : []
  if (lines.length === 0) return { unread: `${path} has no on.schedule cron line` }
  return lines
}
