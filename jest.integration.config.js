// Integration tests against the real servers of the local stack (`make stack-up` first).
const preset = require('./jest.preset');

module.exports = {
  ...preset,
  displayName: 'integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{libs,services,tools,tests}/**/*.integration-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60_000,
  maxWorkers: 2,
  testSequencer: '<rootDir>/tests/integration/slow-suites-first.js',
};
