/** One dev server for the whole run (test/global-setup.ts), tests connect with unique ids and task queues. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Run against the production topology by `npm run test:production` (jest.production.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/production/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/support/runtime.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
