import { once } from 'node:events';
import { Server, ServerCredentials, status, type ClientWritableStream } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { internalV1 } from '@tessera/contracts';
import { grpcHandlerFor } from './call-handlers';
import { createGrpcClient } from './grpc-client';
import { serviceDefinitionOf } from './service-definition';

const MiB = 1024 * 1024;
const writeChunks = internalV1.RepositoryService.method.writeChunks;

describe('client-streaming handlers read messages on demand', () => {
  let server: Server;
  let address: string;
  let release!: () => void;
  const consumed: number[] = [];

  beforeAll(async () => {
    server = new Server();
    const handler = grpcHandlerFor(
      writeChunks,
      'WriteChunks',
      async (requests) => {
        const released = new Promise<void>((resolve) => (release = resolve));
        let count = 0;
        for await (const _ of requests as AsyncIterable<unknown>) {
          consumed.push(++count);
          if (count === 1) await released;
        }
        return { results: [] };
      },
      () => ({ code: status.INTERNAL }),
    );
    server.addService(serviceDefinitionOf(internalV1.RepositoryService), { WriteChunks: handler });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => server.forceShutdown());

  it('holds a fast sender back while the handler is busy, instead of buffering 16 messages', async () => {
    const client = createGrpcClient(internalV1.RepositoryService, address);
    const sent: number[] = [];
    const response = new Promise((resolve, reject) => {
      const call = (
        client as unknown as Record<string, (cb: (error: unknown, value: unknown) => void) => unknown>
      )['WriteChunks']!((error, value) =>
        error ? reject(error) : resolve(value),
      ) as ClientWritableStream<unknown>;
      void (async () => {
        for (let index = 0; index < 40; index++) {
          const frame = create(internalV1.WriteChunksRequestSchema, {
            frame: { case: 'data', value: new Uint8Array(MiB) },
          });
          if (!call.write(frame, () => sent.push(index))) await once(call, 'drain');
        }
        call.end();
      })();
    });

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const whileBusy = { consumed: [...consumed], sent: sent.length };
    release();
    await response;

    // While the handler held the first message the server asked for no more, so HTTP/2 flow
    // control stopped the sender after about one message in flight and the client's write queue.
    expect(whileBusy.consumed).toEqual([1]);
    expect(whileBusy.sent).toBeLessThan(8);
    expect(consumed).toHaveLength(40);
    expect(sent).toHaveLength(40);
    client.close();
  });
});
