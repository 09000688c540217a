export * from './fixed-size-chunks';
export * from './tessera-client';
export * from './trace-context';
