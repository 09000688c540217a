// Unit tests of libs/schema-registry (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'schema-registry',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
