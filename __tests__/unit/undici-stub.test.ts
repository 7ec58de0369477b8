import { describe, expect, it } from '@jest/globals'
import { fetch, ProxyAgent } from '../../src/sendgrid/undici-stub.js'

describe('the undici stub bundled in place of undici', () => {
  it('lets a proxy dispatcher be built, and says plainly it is not undici if anything fetches', () => {
    expect(new ProxyAgent()).toBeInstanceOf(ProxyAgent)
    expect(() => fetch()).toThrow('undici is not bundled with refresh-segment')
  })
})
