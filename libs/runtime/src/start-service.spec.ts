import { create } from '@bufbuild/protobuf';
import {
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Controller, Module } from '@nestjs/common';
import { metadataV1, uploadV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import { GrpcRpc, serviceDefinitionOf } from '@tessera/grpc';
import { createLogger } from '@tessera/logging';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Writable } from 'node:stream';
import { startService, type RunningService } from './start-service';

@Controller()
class TestController {
  @GrpcRpc(metadataV1.MetadataService, 'GetNode')
  async getNode(request: metadataV1.GetNodeRequest): Promise<metadataV1.GetNodeResponse> {
    if (request.nodeId === 'missing') throw TesseraError.notFound('node', request.nodeId);
    if (request.nodeId === 'boom') throw new Error('secret driver detail');
    if (request.nodeId === 'slow') await new Promise((resolve) => setTimeout(resolve, 300));
    if (request.nodeId === 'malformed') return { node: { version: 'not a number' } } as never;
    return create(metadataV1.GetNodeResponseSchema, { node: { nodeId: request.nodeId, name: 'a.txt' } });
  }

  @GrpcRpc(uploadV1.UploadService, 'UploadChunks')
  async uploadChunks(requests: AsyncIterable<uploadV1.UploadChunksRequest>) {
    const results = [];
    for await (const request of requests) {
      results.push({
        chunkNumber: request.chunk?.chunkNumber ?? 0n,
        sha256: String(request.chunk?.data.length),
      });
    }
    return { results };
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

type Callback<T> = (error: ServiceError | null, value?: T) => void;
type UnaryMethod<Req, Res> = (request: Req, callback: Callback<Res>) => void;

function clientFor(port: number, service: Parameters<typeof serviceDefinitionOf>[0]) {
  const Constructor = makeGenericClientConstructor(serviceDefinitionOf(service), service.typeName);
  return new Constructor(`127.0.0.1:${port}`, credentials.createInsecure()) as Client &
    Record<string, unknown>;
}

function call<Req, Res>(client: Record<string, unknown>, method: string, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client[method] as UnaryMethod<Req, Res>).call(client, request, (error, value) =>
      error ? reject(error) : resolve(value as Res),
    );
  });
}

describe('startService with the protobuf gRPC transport', () => {
  let service: RunningService;
  let metadata: Client & Record<string, unknown>;
  const logLines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString()), done()),
    });
    service = await startService({
      name: 'test-service',
      rootModule: TestModule,
      logger: createLogger({ service: 'test-service', level: 'info', destination }),
      host: '127.0.0.1',
      grpcPort: 0,
      httpPort: 0,
      grpcServices: [metadataV1.MetadataService, uploadV1.UploadService],
      maxReceiveMessageBytes: 1024 * 1024,
      shutdownGraceMs: 5_000,
    });
    metadata = clientFor(service.grpcPort, metadataV1.MetadataService);
  });

  afterAll(async () => {
    metadata.close();
    await service.stop();
  });

  it('answers a unary RPC with the handler’s message', async () => {
    const response = await call<unknown, metadataV1.GetNodeResponse>(
      metadata,
      'GetNode',
      create(metadataV1.GetNodeRequestSchema, { nodeId: 'n1' }),
    );
    expect(response.node?.nodeId).toBe('n1');
  });

  it('maps a Tessera error to its status and keeps its message', async () => {
    await expect(
      call(metadata, 'GetNode', create(metadataV1.GetNodeRequestSchema, { nodeId: 'missing' })),
    ).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'node missing not found',
    });
  });

  it('hides unexpected errors behind INTERNAL and logs the cause', async () => {
    const error = (await call(
      metadata,
      'GetNode',
      create(metadataV1.GetNodeRequestSchema, { nodeId: 'boom' }),
    ).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).not.toContain('secret');
    expect(logLines.join('')).toContain('secret driver detail');
  });

  it('answers INTERNAL, not a hang, when a handler returns something that is not the response message', async () => {
    await expect(
      call(metadata, 'GetNode', create(metadataV1.GetNodeRequestSchema, { nodeId: 'malformed' })),
    ).rejects.toMatchObject({ code: status.INTERNAL });
  });

  it('answers UNIMPLEMENTED for RPCs without a handler', async () => {
    await expect(
      call(metadata, 'ListNodes', create(metadataV1.ListNodesRequestSchema, {})),
    ).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
    });
  });

  it('serves client-streaming RPCs', async () => {
    const upload = clientFor(service.grpcPort, uploadV1.UploadService);
    const response = await new Promise<uploadV1.UploadChunksResponse>((resolve, reject) => {
      const stream = (
        upload['UploadChunks'] as (cb: Callback<uploadV1.UploadChunksResponse>) => Writable
      ).call(upload, (error, value) => (error ? reject(error) : resolve(value!)));
      for (const chunkNumber of [2n, 0n, 1n]) {
        stream.write(
          create(uploadV1.UploadChunksRequestSchema, { chunk: { chunkNumber, data: new Uint8Array(3) } }),
        );
      }
      stream.end();
    });
    upload.close();
    expect(response.results.map((r) => r.chunkNumber)).toEqual([2n, 0n, 1n]);
  });

  it('reports SERVING through grpc.health.v1 for the server and each service', async () => {
    const health = (loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as any).grpc.health.v1
      .Health;
    const client = new health(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
    for (const name of ['', 'tessera.metadata.v1.MetadataService']) {
      await expect(call(client, 'Check', { service: name })).resolves.toEqual({ status: 'SERVING' });
    }
    client.close();
  });

  it('lets an in-flight call finish during a graceful stop', async () => {
    const other = await startService({
      name: 'draining',
      rootModule: TestModule,
      logger: createLogger({
        service: 'draining',
        level: 'error',
        destination: new Writable({ write: (_c, _e, d) => d() }),
      }),
      host: '127.0.0.1',
      grpcPort: 0,
      httpPort: 0,
      grpcServices: [metadataV1.MetadataService],
      maxReceiveMessageBytes: 1024 * 1024,
      shutdownGraceMs: 5_000,
    });
    const client = clientFor(other.grpcPort, metadataV1.MetadataService);
    const slow = call<unknown, metadataV1.GetNodeResponse>(
      client,
      'GetNode',
      create(metadataV1.GetNodeRequestSchema, { nodeId: 'slow' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = other.stop();
    await expect(slow).resolves.toMatchObject({ node: { nodeId: 'slow' } });
    await stopped;
    await expect(
      call(client, 'GetNode', create(metadataV1.GetNodeRequestSchema, { nodeId: 'late' })),
    ).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    client.close();
  });
});
