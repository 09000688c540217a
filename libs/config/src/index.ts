export * from './config-error';
export * from './load-config';
export * from './env-schema.util';
export * from './mask-secrets';
export * from './service-env.schema';
