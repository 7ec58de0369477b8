import { describe, expect, it } from '@jest/globals'
import { oneLine } from '../../src/report/log.js'

describe('oneLine', () => {
  it('turns every kind of line break into a visible mark, and keeps the rest', () => {
    expect(oneLine('a\nb\r\nc\rd\u2028e\u2029f\u0085g\vh\fi')).toBe(
      'a ⏎ b ⏎ c ⏎ d ⏎ e ⏎ f ⏎ g ⏎ h ⏎ i'
    )
    expect(oneLine('Spring sale, EU: 100% — "VIP" ::not at a line start')).toBe(
      'Spring sale, EU: 100% — "VIP" ::not at a line start'
    )
  })
})
