import 'reflect-metadata';
import { uploadV1 } from '@tessera/contracts';
import type { Logger } from '@tessera/logging';
import { startService, stopOnSignals, type RunningService } from '@tessera/runtime';
import { IntakeGatewayModule } from './intake-gateway.module';
import type { IntakeGatewayConfig } from './config/intake-gateway.config';

export async function bootstrap(
  config: IntakeGatewayConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const service = await startService({
    name: 'intake-gateway',
    rootModule: IntakeGatewayModule,
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [uploadV1.UploadService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown,
  });
  stopOnSignals(service, logger);
  return service;
}
