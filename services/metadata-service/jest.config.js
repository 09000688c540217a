// Unit tests of services/metadata-service (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'metadata-service',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
