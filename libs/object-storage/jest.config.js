// Unit tests of libs/object-storage (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'object-storage',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
