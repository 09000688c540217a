import type { DescService } from '@bufbuild/protobuf';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassThroughRpcFilter, ProtobufGrpcServer, type CallLimit, type ServerWindows } from '@tessera/grpc';
import { NestJsonLogger, type Logger } from '@tessera/logging';
import { metricsHandler } from '@tessera/telemetry';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerUnparsableRequests } from './unparsable-requests';

export interface ServiceOptions {
  name: string;
  rootModule: Type<unknown> | DynamicModule;
  logger: Logger;
  host: string;
  grpcPort: number;
  httpPort: number;
  grpcServices: DescService[];
  maxReceiveMessageBytes: number;
  /** HTTP/2 MAX_CONCURRENT_STREAMS of the gRPC server (GRPC_MAX_CONCURRENT_STREAMS). */
  maxConcurrentStreams?: number;
  /** Calls of some methods open at once across all connections (callLimitInterceptor). */
  callLimit?: CallLimit;
  shutdownGraceMs: number;
  /** Dependencies' health (DEPENDENCY_HEALTH names) as known at start, reported from the first call on. */
  dependencyHealth?: Record<string, boolean>;
  /** Wider HTTP/2 windows than the default, for a server that reads several messages ahead. */
  grpcWindows?: ServerWindows;
  /** Runs after both servers have closed, e.g. to flush telemetry. */
  onShutdown?: () => Promise<void>;
}

export interface RunningService {
  app: INestApplication;
  grpcPort: number;
  httpPort: number;
  /** Graceful stop: health turns NOT_SERVING, in-flight calls finish (up to the grace period). */
  stop(): Promise<void>;
  /** Reports a dependency's health on the gRPC health service under `name` (DEPENDENCY_HEALTH). */
  setDependencyHealth(name: string, serving: boolean): void;
}

/** Boots a Tessera service: a NestJS app with the gRPC transport and an HTTP server. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { logger } = options;
  const app = await NestFactory.create(options.rootModule, {
    logger: new NestJsonLogger(logger),
    bodyParser: false,
  });
  const grpcServer = new ProtobufGrpcServer({
    host: options.host,
    port: options.grpcPort,
    services: options.grpcServices,
    shutdownGraceMs: options.shutdownGraceMs,
    maxReceiveMessageBytes: options.maxReceiveMessageBytes,
    ...(options.maxConcurrentStreams && { maxConcurrentStreams: options.maxConcurrentStreams }),
    ...(options.callLimit && { callLimit: options.callLimit }),
    ...(options.dependencyHealth && { dependencyHealth: options.dependencyHealth }),
    ...(options.grpcWindows && { windows: options.grpcWindows }),
    logUnexpectedError: (error, rpc) => logger.error({ err: error, rpc }, 'unexpected error in RPC handler'),
  });
  app.useGlobalFilters(new PassThroughRpcFilter(app.getHttpAdapter()));
  app.connectMicroservice({ strategy: grpcServer }, { inheritAppConfig: true });
  app.getHttpAdapter().get('/healthz', (_request: unknown, response: { json(body: unknown): void }) => {
    response.json({ status: 'ok', service: options.name });
  });
  const scrape = metricsHandler();
  if (scrape) app.getHttpAdapter().get('/metrics', scrape);
  await app.startAllMicroservices();
  answerUnparsableRequests(app.getHttpServer() as HttpServer);
  await app.listen(options.httpPort, options.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = grpcServer.boundPort ?? options.grpcPort;
  logger.info({ grpcPort, httpPort, host: options.host }, `${options.name} listening`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: draining in-flight calls');
      await app.close();
      await options.onShutdown?.();
      logger.info('shut down');
    })());
  const setDependencyHealth = (name: string, serving: boolean) =>
    grpcServer.setDependencyHealth(name, serving);
  return { app, grpcPort, httpPort, stop, setDependencyHealth };
}

/** Stops the service on SIGTERM/SIGINT and exits 0; a second signal exits at once. */
export function stopOnSignals(service: RunningService, logger: Logger): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'received signal');
    service.stop().then(
      () => logger.flush(() => process.exit(0)),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
