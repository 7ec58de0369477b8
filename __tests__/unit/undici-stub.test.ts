import { describe, expect, it } from '@jest/globals'
import { ProxyAgent } from '../../src/sendgrid/undici-stub.js'

describe('the undici stub bundled in place of undici', () => {
  it('says plainly that it is not undici, should anything ever construct it', () => {
    expect(() => new ProxyAgent()).toThrow('undici is not bundled with refresh-segment')
  })
})
