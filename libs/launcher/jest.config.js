// Unit tests of libs/launcher (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'launcher',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
