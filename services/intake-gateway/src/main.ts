// Composition root of the intake-gateway: the only place that reads process.env.
import { launchService } from '@tessera/launcher';
import { IntakeGatewayEnvSchema } from './config/intake-gateway.config';

launchService({
  name: 'intake-gateway',
  version: process.env['npm_package_version'] ?? '0.1.0',
  envSchema: IntakeGatewayEnvSchema,
  env: process.env,
  start: async (config, logger, onShutdown) =>
    (await import('./bootstrap.js')).bootstrap(config, logger, onShutdown),
});
