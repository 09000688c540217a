// Unit tests of libs/events (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'events',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
