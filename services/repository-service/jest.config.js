// Unit tests of services/repository-service (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'repository-service',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
