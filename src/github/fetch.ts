// The fetch GitHub's client is given: @actions/http-client underneath, as for SendGrid, so the
// runner's proxy settings hold without bundling undici, and no redirect is followed, so the token
// goes to GITHUB_API_URL and nowhere else.
import { HttpClient } from '@actions/http-client'

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** A fetch over one HttpClient; `signal` (a cancel or a timeout) abandons the request. */
export function fetchThroughHttpClient(userAgent: string, timeoutMs: number): Fetch {
  return async (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input)
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, name) => (headers[name] = value))
    const body = typeof init.body === 'string' ? init.body : null
    const http = new HttpClient(userAgent, [], {
      allowRedirects: false,
      allowRetries: false,
      socketTimeout: timeoutMs
    })
    const signal = init.signal
    try {
      const exchange = (async () => {
        const response = await http.request(init.method ?? 'GET', url, body, headers)
        const text = await response.readBody()
        const answered = new Headers()
        for (const [name, value] of Object.entries(response.message.headers))
          if (value !== undefined)
            answered.set(name, Array.isArray(value) ? value.join(', ') : value)
        const status = response.message.statusCode ?? 0
        // A 204 or 304 carries no body.
        return new Response(status === 204 || status === 304 ? null : text, {
          status,
          headers: answered
        })
      })()
      if (!signal) return await exchange
      return await Promise.race([
        exchange,
        new Promise<never>((_, reject) => {
          const abort = (): void => reject(signal.reason ?? new Error('aborted'))
          if (signal.aborted) abort()
          else signal.addEventListener('abort', abort, { once: true })
        })
      ])
    } finally {
      http.dispose()
    }
  }
}
