// Unit tests of libs/client (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'client',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
