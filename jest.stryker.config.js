// Jest for `npm run mutate`: the in-process suites only (they import src/, so mutants reach them),
// without coverage, whose thresholds would fail every mutant run.
import base from './jest.config.js'

const bundleSuites = ['e2e/', 'contract/', 'repo/']

export default {
  ...base,
  collectCoverage: false,
  coverageThreshold: undefined,
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    ...bundleSuites.map((name) => `/__tests__/${name}`)
  ]
}
