export * from './launch-service';
