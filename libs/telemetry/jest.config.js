// Unit tests of libs/telemetry (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'telemetry',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
