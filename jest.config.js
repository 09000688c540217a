// Unit tests of every project (colocated *.spec.ts).
module.exports = {
  projects: [
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/services/*/jest.config.js',
    '<rootDir>/tools/*/jest.config.js',
    '<rootDir>/tests/deploy/jest.config.js',
    '<rootDir>/tests/packages/jest.config.js',
  ],
};
