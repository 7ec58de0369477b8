// Bundled in place of `undici` (see "paths" in tsconfig.json). @actions/http-client imports undici
// only for getAgentDispatcher(), the proxy dispatcher of fetch-based clients such as Octokit, and
// @actions/github for that fetch. This action calls HttpClient.request(), whose proxy support is the
// `tunnel` agent, and gives Octokit a fetch built on it (src/github/fetch.ts), so undici is never
// used; bundling it would triple the bundle and add ~50 ms of start-up to every run. @actions/github
// builds its default fetch's dispatcher as it loads: behind a proxy that constructs a ProxyAgent,
// which must therefore be harmless until something would send with it.
export class ProxyAgent {}

export function fetch(): never {
  throw new Error('undici is not bundled with refresh-segment; its fetch is unavailable')
}
