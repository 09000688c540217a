export * from './in-span';
export * from './metrics';
export * from './start-telemetry';
