// Offline checks of the deployment artefacts (charts/, k8s/): no cluster, no servers.
module.exports = {
  ...require('../../jest.preset'),
  displayName: 'deploy',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
