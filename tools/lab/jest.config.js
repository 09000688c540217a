// Unit tests of the latency lab (tessera-lab) (colocated *.spec.ts).
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'lab',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
