// Unit tests of the tessera CLI (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'cli',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
