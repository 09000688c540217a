// Unit tests of libs/grpc-client (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'grpc-client',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
