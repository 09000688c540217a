import { Server, ServerCredentials, status, type sendUnaryData } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callClientStream, createGrpcClient } from './grpc-client';
import { serviceDefinitionOf } from './service-definition';

const writeChunks = internalV1.RepositoryService.method.writeChunks;

describe('callClientStream', () => {
  let server: Server;
  let address: string;

  beforeAll(async () => {
    server = new Server();
    // Refuses every stream at once, before the client has sent anything.
    server.addService(serviceDefinitionOf(internalV1.RepositoryService), {
      WriteChunks: (_call: unknown, callback: sendUnaryData<unknown>) =>
        callback({ code: status.INVALID_ARGUMENT, details: 'frame: refused' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
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
