import 'reflect-metadata';
import { internalV1, uploadV1 } from '@tessera/contracts';
import { createGrpcClient } from '@tessera/grpc';
import type { Logger } from '@tessera/logging';
import { startService, stopOnSignals, type RunningService } from '@tessera/runtime';
import { GrpcRepository } from './adapters/grpc-repository';
import { IntakeGatewayModule } from './intake-gateway.module';
import type { IntakeGatewayConfig } from './config/intake-gateway.config';

export async function bootstrap(
  config: IntakeGatewayConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const repositoryClient = createGrpcClient(internalV1.RepositoryService, config.REPOSITORY_SERVICE_ADDRESS);
  const domain = {
    repository: new GrpcRepository(repositoryClient, config.DATA_FRAME_BYTES),
    limits: { maxChunkBytes: config.MAX_CHUNK_BYTES },
  };
  const service = await startService({
    name: 'intake-gateway',
    rootModule: IntakeGatewayModule.register(domain),
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [uploadV1.UploadService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown: async () => {
      repositoryClient.close();
      await onShutdown();
    },
  });
  stopOnSignals(service, logger);
  return service;
}
