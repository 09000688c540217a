import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create } from '@bufbuild/protobuf';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerReadableStream,
} from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callClientStream, createGrpcClient, serviceDefinitionOf } from '@tessera/grpc-client';

const writeChunks = internalV1.RepositoryService.method.writeChunks;

/** A RepositoryService server on a free local port with the given WriteChunks; its address. */
async function serveWriteChunks(writeChunksHandler: unknown): Promise<{ server: Server; address: string }> {
  const server = new Server();
  server.addService(serviceDefinitionOf(internalV1.RepositoryService), {
    WriteChunks: writeChunksHandler,
  } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

describe('callClientStream', () => {
  let server: Server;
  let address: string;

  beforeAll(async () => {
    // Refuses every stream at once, before the client has sent anything.
    ({ server, address } = await serveWriteChunks((_call: unknown, callback: sendUnaryData<unknown>) =>
      callback({ code: status.INVALID_ARGUMENT, details: 'frame: refused' }),
    ));
  });

  afterAll(() => server.forceShutdown());

  it('answers with the call’s failure at once, without waiting for a next request that never comes', async () => {
    const client = createGrpcClient(internalV1.RepositoryService, address);
    // e.g. a client's stream that sends nothing more
    const stalledRequests: AsyncIterable<never> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<never>>(() => undefined) }),
    };
    try {
      await expect(callClientStream(client, writeChunks, stalledRequests)).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: 'frame: refused',
      });
    } finally {
      client.close();
    }
  }, 5000);
});

describe('callClientStream with a server that reads every request', () => {
  let server: Server;
  let address: string;

  beforeAll(async () => {
    ({ server, address } = await serveWriteChunks(
      (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        call.on('data', () => undefined);
        call.on('end', () => callback(null, create(internalV1.WriteChunksResponseSchema, {})));
      },
    ));
  });

  afterAll(() => server.forceShutdown());

  it('lets the requests it has sent be collected while the call goes on', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const client = createGrpcClient(internalV1.RepositoryService, address);
    const sent: WeakRef<Uint8Array>[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let allSent!: () => void;
    const sentAll = new Promise<void>((resolve) => (allSent = resolve));
    async function* frames() {
      for (let frame = 0; frame < 16; frame++) {
        const data = new Uint8Array(512 * 1024).fill(frame + 1);
        sent.push(new WeakRef(data));
        yield { frame: { case: 'data' as const, value: data } };
      }
      allSent();
      await finished; // the call stays open meanwhile
    }
    const call = callClientStream(client, writeChunks, frames(), { maxQueuedMessages: 2 });
    try {
      await sentAll;
      await sleep(200); // the writes reach the server
      collectGarbage();
      await sleep(10);
      collectGarbage();
      const reachable = sent.filter((ref) => ref.deref() !== undefined).length;
      // Before the fix every request stayed reachable through the call's promise: all 16 here.
      expect(reachable).toBeLessThanOrEqual(4);
    } finally {
      finish();
      await call;
      client.close();
    }
  }, 10_000);
});
