// Offline checks of the published packages' manifests (docs/packages.md): no build, no registry.
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'packages',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
