export * from './object-store.port';
export * from './s3-error';
export * from './s3-client';
export * from './s3-object-store';
export * from './s3-timeouts';
export * from './s3-direct-parts';
