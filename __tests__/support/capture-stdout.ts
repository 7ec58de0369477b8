// What the code under test writes to stdout (the job log), captured around each test of a file.
import { afterEach, beforeEach, jest } from '@jest/globals'

export function captureStdout(): { text: string } {
  const captured = { text: '' }
  beforeEach(() => {
    captured.text = ''
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      captured.text += String(chunk)
      return true
    })
  })
  afterEach(() => {
    jest.restoreAllMocks()
  })
  return captured
}
