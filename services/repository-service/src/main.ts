// Composition root of the repository-service: the only place that reads process.env.
import { launchService } from '@tessera/launcher';
import { RepositoryServiceEnvSchema } from './config/repository-service.config';

launchService({
  name: 'repository-service',
  version: process.env['npm_package_version'] ?? '0.1.0',
  envSchema: RepositoryServiceEnvSchema,
  env: process.env,
  start: async (config, logger, onShutdown) =>
    (await import('./bootstrap.js')).bootstrap(config, logger, onShutdown),
});
