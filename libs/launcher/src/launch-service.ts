import { ConfigError, loadConfig, maskSecrets, type Environment } from '@tessera/config';
import { createLogger, type Logger } from '@tessera/logging';
import { startMetrics, startTelemetry } from '@tessera/telemetry';
import type { z } from 'zod';

/** What every service schema provides (see serviceEnvShape in @tessera/config). */
interface LaunchableConfig {
  LOG_LEVEL: string;
  OTEL_SDK_DISABLED: boolean;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
}

export interface LaunchOptions<Schema extends z.ZodType<LaunchableConfig>> {
  name: string;
  version: string;
  envSchema: Schema;
  env: Environment;
  /**
   * Starts the service. Import NestJS and instrumented libraries inside it (dynamic import), so
   * that they load after the OpenTelemetry SDK has started.
   */
  start(config: z.output<Schema>, logger: Logger, onShutdown: () => Promise<void>): Promise<unknown>;
}

/**
 * The start of every service: validate the environment (exit 1 naming every bad variable), create
 * the JSON logger, start telemetry, then hand over to the service.
 */
export function launchService<Schema extends z.ZodType<LaunchableConfig>>(
  options: LaunchOptions<Schema>,
): void {
  const run = async () => {
    const config = loadConfig(options.envSchema, options.env);
    const logger = createLogger({ service: options.name, level: config.LOG_LEVEL });
    logger.info({ config: maskSecrets(config), node: process.version }, 'configuration loaded');
    const metrics = startMetrics(options.name);
    const telemetry = config.OTEL_SDK_DISABLED
      ? undefined
      : startTelemetry({
          serviceName: options.name,
          serviceVersion: options.version,
          otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT,
          diagnostics: {
            error: (message) => logger.error({ component: 'opentelemetry' }, message),
            warn: (message) => logger.warn({ component: 'opentelemetry' }, message),
            info: () => undefined,
            debug: () => undefined,
            verbose: () => undefined,
          },
        });
    await options.start(config, logger, async () => {
      await telemetry?.shutdown();
      await metrics.shutdown();
    });
  };
  run().catch((error: unknown) => {
    const problem =
      error instanceof ConfigError
        ? { issues: error.issues }
        : {
            error: String(error),
            ...(error instanceof Error && error.cause !== undefined && { cause: String(error.cause) }),
          };
    const line = { level: 'fatal', service: options.name, message: 'failed to start', ...problem };
    process.stderr.write(`${JSON.stringify(line)}\n`);
    process.exit(1);
  });
}
