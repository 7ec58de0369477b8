// A stand-in for GitHub's contents API on loopback, as a scheduled run's GITHUB_API_URL, for the
// tests and the bench: it serves workflow files by path and commit, and records every request.
import { createServer } from 'node:http'

/**
 * @typedef {object} GitHubRequest
 * @property {string} method
 * @property {string} url
 * @property {import('node:http').IncomingHttpHeaders} headers
 */

/**
 * Serves `files` (path → text) of `owner/repo` at commit `sha`, and `directories` as GitHub lists
 * one (an array); any other path or commit is a 404, and `status` answers every request with that
 * status instead.
 * @param {Record<string, string>} files
 * `answers` gives, by path, an answer of its own instead of a file's.
 * @param {{ owner?: string, repo?: string, sha?: string, status?: number, directories?: string[], answers?: Record<string, unknown> }} [options]
 */
export async function startGitHubApi(files, options = {}) {
  const {
    owner = 'octo-org',
    repo = 'marketing',
    sha = 'a'.repeat(40),
    status = 200,
    directories = [],
    answers = {}
  } = options
  /** @type {GitHubRequest[]} */
  const requests = []
  const server = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers
    })
    const url = new URL(request.url ?? '/', 'http://github')
    const prefix = `/repos/${owner}/${repo}/contents/`
    const path = url.pathname.startsWith(prefix)
      ? decodeURIComponent(url.pathname.slice(prefix.length))
      : null
    const text = path === null || url.searchParams.get('ref') !== sha ? undefined : files[path]
    const answer =
      status !== 200
        ? { status, body: { message: 'Resource not accessible by integration' } }
        : path !== null && path in answers
          ? { status: 200, body: answers[path] }
          : path !== null && directories.includes(path)
            ? { status: 200, body: [{ type: 'file', path: `${path}/refresh.yml` }] }
            : text === undefined
              ? { status: 404, body: { message: 'Not Found' } }
              : {
                  status: 200,
                  body: {
                    type: 'file',
                    encoding: 'base64',
                    path,
                    content: Buffer.from(text).toString('base64')
                  }
                }
    response.writeHead(answer.status, { 'Content-Type': 'application/json' })
    response.end(JSON.stringify(answer.body))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const url = `http://127.0.0.1:${address.port}`
  return {
    url,
    requests,
    /**
     * What the runner sets for a workflow at `path` of this repository, run from `sha`.
     * @param {string} path
     */
    env: (path) => ({
      GITHUB_API_URL: url,
      GITHUB_WORKFLOW_REF: `${owner}/${repo}/${path}@refs/heads/main`,
      GITHUB_WORKFLOW_SHA: sha
    }),
    close: () =>
      /** @type {Promise<void>} */ (
        new Promise((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  }
}
