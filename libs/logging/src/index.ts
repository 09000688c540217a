export * from './create-logger';
export * from './nest-json-logger';
