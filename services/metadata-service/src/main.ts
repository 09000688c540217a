// Composition root of the metadata-service: the only place that reads process.env.
import { launchService } from '@tessera/launcher';
import { MetadataServiceEnvSchema } from './config/metadata-service.config';

launchService({
  name: 'metadata-service',
  version: process.env['npm_package_version'] ?? '0.1.0',
  envSchema: MetadataServiceEnvSchema,
  env: process.env,
  start: async (config, logger, onShutdown) =>
    (await import('./bootstrap.js')).bootstrap(config, logger, onShutdown),
});
