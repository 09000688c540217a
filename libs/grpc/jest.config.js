// Unit tests of libs/grpc (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'grpc',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
