// Composition root: the only place that reads process.env. Telemetry starts before NestJS and
// the instrumented libraries are loaded, which is why the rest comes in by dynamic import.
import { ConfigError, loadConfig, maskSecrets } from '@tessera/config';
import { createLogger } from '@tessera/logging';
import { startTelemetry } from '@tessera/telemetry';
import { RepositoryServiceEnvSchema } from './config/repository-service.config';

const SERVICE_NAME = 'repository-service';

async function main(): Promise<void> {
  const config = loadConfig(RepositoryServiceEnvSchema, process.env);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  logger.info({ config: maskSecrets(config) }, 'configuration loaded');
  const telemetry = config.TRACING_ENABLED
    ? startTelemetry({
        serviceName: SERVICE_NAME,
        serviceVersion: process.env['npm_package_version'] ?? '0.0.0',
        otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
        sampleRatio: config.OTEL_TRACES_SAMPLER_RATIO,
      })
    : undefined;
  const { bootstrap } = await import('./bootstrap.js');
  await bootstrap(config, logger, async () => telemetry?.shutdown());
}

main().catch((error: unknown) => {
  const problem = error instanceof ConfigError ? { issues: error.issues } : { error: String(error) };
  process.stderr.write(
    JSON.stringify({ level: 'fatal', service: SERVICE_NAME, message: 'failed to start', ...problem }) + '\n',
  );
  process.exit(1);
});
