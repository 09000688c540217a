export * from './eventually';
export * from './stack-endpoints';
