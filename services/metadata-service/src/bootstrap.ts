import 'reflect-metadata';
import { metadataV1 } from '@tessera/contracts';
import type { Logger } from '@tessera/logging';
import { startService, stopOnSignals, type RunningService } from '@tessera/runtime';
import { MetadataServiceModule } from './metadata-service.module';
import type { MetadataServiceConfig } from './config/metadata-service.config';

export async function bootstrap(
  config: MetadataServiceConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const service = await startService({
    name: 'metadata-service',
    rootModule: MetadataServiceModule,
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [metadataV1.MetadataService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown,
  });
  stopOnSignals(service, logger);
  return service;
}
