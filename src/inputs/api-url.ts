// Where the key may go: SendGrid's hosts by data residency, and the rules an `api-url` must meet.
// The action's inputs and the live check both use these, so there is one of each.
import { InputProblem } from './problems.js'

/** SendGrid's API host for each data residency (EU: what its client's setDataResidency('eu') picks). */
export const dataResidencyHosts = {
  global: 'https://api.sendgrid.com',
  eu: 'https://api.eu.sendgrid.com'
} as const

export type DataResidency = keyof typeof dataResidencyHosts
export const dataResidencies = Object.keys(dataResidencyHosts) as DataResidency[]

const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/**
 * The base URL the key may be sent to: `raw` (the `api-url` input) when given, else the host of the
 * data residency. A key may only travel in clear text to this machine; a URL's credentials are never
 * echoed.
 */
export function baseUrlFor(residency: DataResidency, raw: string): string {
  if (!raw) return dataResidencyHosts[residency]

  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputProblem(
      'api-url',
      raw,
      'it is not a URL; expected something like https://api.sendgrid.com'
    )
  }
  if (url.username || url.password) {
    throw new InputProblem(
      'api-url',
      raw.replace(/\/\/[^@/]*@/, '//***@'),
      'it must not contain credentials'
    )
  }
  if (url.search || url.hash)
    throw new InputProblem('api-url', raw, 'it must not contain a query or fragment')
  const loopback = loopbackHost.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputProblem(
      'api-url',
      raw,
      'it must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1], so the key never travels in clear text)'
    )
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
