// Unit tests of libs/jaeger (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'jaeger',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
