// Unit tests of services/intake-gateway (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'intake-gateway',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
