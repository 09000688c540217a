// Unit tests of libs/sql (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'sql',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
