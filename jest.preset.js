// Shared Jest settings: SWC transpiles TypeScript (with decorator metadata for NestJS) and
// @tessera/* imports resolve to the libraries' sources, so tests never need a build first.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@tessera/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
};
