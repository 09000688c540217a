// Unit tests of libs/cache (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'cache',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
