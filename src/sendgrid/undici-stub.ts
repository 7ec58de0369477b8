// Bundled in place of `undici` (see "paths" in tsconfig.json). @actions/http-client imports undici
// only for getAgentDispatcher(), the proxy dispatcher of fetch-based clients such as Octokit. This
// action calls HttpClient.request(), whose proxy support is the `tunnel` agent, so undici is never
// used; bundling it would triple the bundle and add ~50 ms of start-up to every run.
export class ProxyAgent {
  constructor() {
    throw new Error(
      'undici is not bundled with refresh-segment; HttpClient.getAgentDispatcher() is unavailable'
    )
  }
}
