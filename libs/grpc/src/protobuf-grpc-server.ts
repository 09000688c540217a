import type { DescService } from '@bufbuild/protobuf';
import { Server as GrpcServer, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { HealthImplementation } from 'grpc-health-check';
import { grpcHandlerFor, type GrpcCallContext, type RpcHandler } from './call-handlers';
import { toGrpcError, type GrpcErrorLogger } from './grpc-error';
import { callLimitInterceptor, type CallLimit } from './call-limit';
import { rpcPattern } from './grpc-rpc.decorator';
import { reflectionServiceFor } from './reflection';
import { serviceDefinitionOf } from '@tessera/grpc-client';
import { whileBindingWideServers, type ServerWindows } from './wide-server-windows';

export interface ProtobufGrpcServerOptions {
  host: string;
  /** 0 picks a free port; read it back with boundPort. */
  port: number;
  services: DescService[];
  /** How long in-flight calls may run on after shutdown starts before they are cancelled. */
  shutdownGraceMs: number;
  maxReceiveMessageBytes: number;
  /** HTTP/2 MAX_CONCURRENT_STREAMS: calls one connection may have open at once. */
  maxConcurrentStreams?: number;
  /** Calls of some methods open at once across all connections; more are refused at their headers. */
  callLimit?: CallLimit;
  logUnexpectedError: GrpcErrorLogger;
  /** Dependencies' health (DEPENDENCY_HEALTH names) as reported from the first call on. */
  dependencyHealth?: Record<string, boolean>;
  /** Wider HTTP/2 windows than HTTP2_WINDOWS, for a server that reads several messages ahead. */
  windows?: ServerWindows;
}

/**
 * A NestJS transport serving protobuf-es services over @grpc/grpc-js, with gRPC health checking
 * (grpc.health.v1) and server reflection. Controller methods marked with @GrpcRpc handle the RPCs;
 * RPCs without a handler answer UNIMPLEMENTED.
 */
export class ProtobufGrpcServer extends Server implements CustomTransportStrategy {
  private readonly grpcServer: GrpcServer;
  private readonly health: HealthImplementation;
  private port: number | undefined;

  constructor(private readonly options: ProtobufGrpcServerOptions) {
    super();
    this.grpcServer = new GrpcServer({
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
      ...(options.maxConcurrentStreams && { 'grpc.max_concurrent_streams': options.maxConcurrentStreams }),
      ...(options.callLimit && { interceptors: [callLimitInterceptor(options.callLimit)] }),
    });
    this.health = new HealthImplementation({ '': 'NOT_SERVING' });
    for (const [name, serving] of Object.entries(options.dependencyHealth ?? {})) {
      this.setDependencyHealth(name, serving);
    }
  }

  /** The port the server listens on, once listening. */
  get boundPort(): number | undefined {
    return this.port;
  }

  listen(callback: (error?: unknown) => void): void {
    for (const service of this.options.services) {
      this.grpcServer.addService(serviceDefinitionOf(service), this.implementationOf(service));
    }
    this.health.addToServer(this.grpcServer);
    reflectionServiceFor(this.options.services).addToServer(this.grpcServer);
    const address = `${this.options.host}:${this.options.port}`;
    whileBindingWideServers(
      (bound) =>
        this.grpcServer.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => {
          bound();
          if (error) {
            callback(error);
            return;
          }
          this.port = port;
          this.setServing('SERVING');
          callback();
        }),
      this.options.windows,
    );
  }

  /** Stops accepting calls, lets in-flight ones finish within the grace period, then cancels the rest. */
  async close(): Promise<void> {
    this.setServing('NOT_SERVING');
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        this.grpcServer.forceShutdown();
        resolve();
      }, this.options.shutdownGraceMs);
      this.grpcServer.tryShutdown(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
  }

  on(): never {
    throw new Error('ProtobufGrpcServer does not emit events');
  }

  unwrap<T>(): T {
    return this.grpcServer as T;
  }

  /** Reports a dependency's health under its own name (DEPENDENCY_HEALTH), for other services to see. */
  setDependencyHealth(name: string, serving: boolean): void {
    this.health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  }

  private setServing(status: 'SERVING' | 'NOT_SERVING'): void {
    this.health.setStatus('', status);
    this.options.services.forEach((service) => this.health.setStatus(service.typeName, status));
  }

  private implementationOf(service: DescService): UntypedServiceImplementation {
    const implementation: UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const pattern = rpcPattern(service, method.name);
      const handler = this.getHandlerByPattern(pattern);
      if (handler) {
        const invoke: RpcHandler = (data, context: GrpcCallContext) => handler(data, context);
        implementation[method.name] = grpcHandlerFor(method, pattern, invoke, (error, rpc) =>
          toGrpcError(error, rpc, this.options.logUnexpectedError),
        );
      }
    }
    return implementation;
  }
}
