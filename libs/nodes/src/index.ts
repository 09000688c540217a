export * from './node-message';
export * from './node-version';
