// Unit tests of libs/config (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'config',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
