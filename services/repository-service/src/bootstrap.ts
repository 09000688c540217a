import 'reflect-metadata';
import { internalV1 } from '@tessera/contracts';
import type { Logger } from '@tessera/logging';
import { startService, stopOnSignals, type RunningService } from '@tessera/runtime';
import { RepositoryServiceModule } from './repository-service.module';
import type { RepositoryServiceConfig } from './config/repository-service.config';

export async function bootstrap(
  config: RepositoryServiceConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const service = await startService({
    name: 'repository-service',
    rootModule: RepositoryServiceModule,
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [internalV1.RepositoryService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown,
  });
  stopOnSignals(service, logger);
  return service;
}
