export * from './start-service';
export * from './health';
