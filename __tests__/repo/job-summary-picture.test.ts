// The README's picture of a job summary comes from the three-audiences story, by command
// (`npm run docs:summary`), with its text kept beside it: the story must still render that text.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { pictureText, renderStorySummary, withoutRunNoise } from '../../tools/render-summary.js'

describe('the job summary picture', () => {
  it('shows what the three-audiences story renders now: its text is the one kept beside the picture', async () => {
    const story = await renderStorySummary()
    expect(story.unmet).toEqual([])
    expect(withoutRunNoise(story.text)).toBe(withoutRunNoise(readFileSync(pictureText, 'utf8')))
  }, 30_000)

  it('makes the same only what changes from run to run: refresh job IDs and the seconds of a recompute', () => {
    const text = [
      'Spring sale  ✅ refreshed  recomputed at 14:00:01, 1 s after the refresh',
      'Spring sale  b1a7c2de-0f3a-4c5b-9d6e-7f8091a2b3c4  f0bc3ce0-d77a-40e5-b3c4-0abcd6f54f55  202',
      'VIP customers can be refreshed again at 14:48 Europe/Berlin, in 47 minutes.'
    ].join('\n')
    expect(withoutRunNoise(text)).toBe(
      [
        'Spring sale  ✅ refreshed  recomputed at hh:mm:ss, N s after the refresh',
        'Spring sale  b1a7c2de-0f3a-4c5b-9d6e-7f8091a2b3c4  <refresh job ID>  202',
        'VIP customers can be refreshed again at 14:48 Europe/Berlin, in 47 minutes.'
      ].join('\n')
    )
  })
})
