export * from './chunk-plan';
export * from './client-errors';
export * from './file-chunk-sender';
export * from './fixed-size-chunks';
export * from './ranged-download';
export * from './retry-policy';
export * from './tessera-client';
export * from './trace-context';
