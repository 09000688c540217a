export * from './error-code';
export * from './tessera-error';
export * from './error-mapping';
export * from './connection-failure';
