/**
 * `npm run test:production`: the HTTP journeys against the production topology that
 * scripts/test-production.ts starts (PostgreSQL, the Temporal server, `npm run api` and
 * `npm run worker` as separate processes). No dev server here: the tests reach the API through
 * AGENCYFLOW_API_URL.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/api/lifecycle.test.ts', '<rootDir>/test/production/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/support/runtime.ts'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
