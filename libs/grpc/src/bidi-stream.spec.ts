import { create } from '@bufbuild/protobuf';
import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callBidiStream, createGrpcClient, serviceDefinitionOf } from '@tessera/grpc-client';

const relayChunks = internalV1.RepositoryService.method.relayChunks;
type RelayCall = ServerDuplexStream<internalV1.RelayChunksRequest, internalV1.RelayChunksResponse>;

/** A RepositoryService server whose RelayChunks answers each chunk at once; fails at chunk 99. */
async function serveRelayChunks(): Promise<{ server: Server; address: string }> {
  const server = new Server();
  server.addService(serviceDefinitionOf(internalV1.RepositoryService), {
    RelayChunks: (call: RelayCall) => {
      call.on('data', (request: internalV1.RelayChunksRequest) => {
        const chunkNumber = request.chunk?.chunkNumber ?? 0n;
        if (chunkNumber === 99n) call.emit('error', { code: status.DATA_LOSS, details: 'chunk 99: refused' });
        else call.write(create(internalV1.RelayChunksResponseSchema, { result: { chunkNumber } }));
      });
      call.on('end', () => call.end());
    },
  } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

const chunk = (chunkNumber: bigint) => ({ chunk: { chunkNumber, data: new Uint8Array(10) } });

describe('callBidiStream', () => {
  let server: Server;
  let address: string;

  beforeAll(async () => ({ server, address } = await serveRelayChunks()));
  afterAll(() => server.forceShutdown());

  async function withClient<T>(use: (client: ReturnType<typeof createGrpcClient>) => Promise<T>) {
    const client = createGrpcClient(internalV1.RepositoryService, address);
    try {
      return await use(client);
    } finally {
      client.close();
    }
  }

  it('yields each answer while the requests are still being written', async () => {
    const answered: bigint[] = [];
    async function* afterEachAnswer() {
      for (const chunkNumber of [0n, 1n, 2n]) {
        while (answered.length < Number(chunkNumber)) await new Promise((resolve) => setTimeout(resolve, 5));
        yield chunk(chunkNumber);
      }
    }
    await withClient(async (client) => {
      for await (const { result } of callBidiStream(client, relayChunks, afterEachAnswer()))
        answered.push(result!.chunkNumber);
    });
    expect(answered).toEqual([0n, 1n, 2n]);
  }, 5000);

  it('fails with the call’s status, even while the next request is still awaited', async () => {
    async function* thenStall() {
      yield chunk(1n);
      yield chunk(99n);
      await new Promise(() => undefined);
    }
    const answered: bigint[] = [];
    await withClient((client) =>
      expect(
        (async () => {
          for await (const { result } of callBidiStream(client, relayChunks, thenStall()))
            answered.push(result!.chunkNumber);
        })(),
      ).rejects.toMatchObject({ code: status.DATA_LOSS, details: 'chunk 99: refused' }),
    );
    expect(answered).toEqual([1n]);
  }, 5000);

  it.each([0, 1])(
    'fails with the requests’ own error when they throw after %i, and cancels the call',
    async (sent) => {
      async function* failing() {
        if (sent > 0) yield chunk(1n);
        throw new Error('the file went away');
      }
      await withClient((client) =>
        expect(
          (async () => {
            for await (const _answer of callBidiStream(client, relayChunks, failing())) {
              // answers until the requests fail
            }
          })(),
        ).rejects.toThrow('the file went away'),
      );
    },
    5000,
  );
});
