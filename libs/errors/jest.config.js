// Unit tests of libs/errors (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'errors',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
