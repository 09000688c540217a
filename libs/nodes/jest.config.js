// Unit tests of libs/nodes (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'nodes',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
