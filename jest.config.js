// ESM throughout: ts-jest in ESM mode, type checking left to `tsc --noEmit` (it is 6-8x faster).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // npm run mutate works in copies of the project under .stryker-tmp/.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  testTimeout: 30000,
  // The suites wait on real timers, sockets and child processes far more than they compute: four
  // workers on two cores keep both busy (one worker, Jest's default here, left them idle).
  maxWorkers: 4,
  // Every suite starts at a chosen instant, not at the hour it happens to run (test-clock.js).
  setupFiles: ['<rootDir>/__tests__/support/jest-clock.js'],
  collectCoverage: true,
  collectCoverageFrom: ['src/**/*.ts', '!src/index.ts'],
  coverageReporters: ['text', 'text-summary'],
  // Set at what the suite reaches, so coverage only goes up.
  coverageThreshold: {
    global: { lines: 99.5, statements: 99, functions: 100, branches: 96 }
  }
}
