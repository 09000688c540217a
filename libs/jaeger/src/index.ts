export * from './jaeger-trace';
export * from './jaeger-query';
