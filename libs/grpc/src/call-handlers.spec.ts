import { once } from 'node:events';
import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { internalV1, uploadV1 } from '@tessera/contracts';
import { grpcHandlerFor } from './call-handlers';
import { toGrpcError } from './grpc-error';
import { createGrpcClient, serviceDefinitionOf } from '@tessera/grpc-client';

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

describe('requests whose bytes are not a message of their type', () => {
  const uploadService = uploadV1.UploadService;
  let server: Server;
  let client: Client;
  const received: string[] = [];
  const identity = (bytes: Buffer) => bytes;
  // Field 1 (chunk) announced as 255 bytes long, with none following.
  const truncated = Buffer.from([0x0a, 0xff, 0x01]);
  const translate = (error: unknown, rpc: string) => toGrpcError(error, rpc, () => undefined);

  beforeAll(async () => {
    server = new Server();
    const unary = grpcHandlerFor(
      uploadService.method.uploadChunk,
      'UploadChunk',
      async () => ({}),
      translate,
    );
    const stream = grpcHandlerFor(
      uploadService.method.uploadChunks,
      'UploadChunks',
      async (requests) => {
        for await (const request of requests as AsyncIterable<uploadV1.UploadChunksRequest>)
          received.push(request.chunk!.uploadId);
        return { results: [] };
      },
      translate,
    );
    const bidi = grpcHandlerFor(
      uploadService.method.streamChunks,
      'StreamChunks',
      async (requests) =>
        (async function* () {
          for await (const request of requests as AsyncIterable<uploadV1.StreamChunksRequest>)
            yield { result: { chunkNumber: request.chunk!.chunkNumber } };
        })(),
      translate,
    );
    server.addService(serviceDefinitionOf(uploadService), {
      UploadChunk: unary,
      UploadChunks: stream,
      StreamChunks: bidi,
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('answers a malformed unary request with INVALID_ARGUMENT naming the request type, not INTERNAL', async () => {
    const error = await new Promise<Partial<ServiceError>>((resolve) =>
      client.makeUnaryRequest(
        '/tessera.upload.v1.UploadService/UploadChunk',
        identity,
        identity,
        truncated,
        (failure) => resolve(failure ?? {}),
      ),
    );
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(
        /^request: is not a valid tessera\.upload\.v1\.UploadChunkRequest message/,
      ),
    });
  });

  it('ends a stream at its first malformed message with INVALID_ARGUMENT, after the good ones', async () => {
    const good = Buffer.from(
      toBinary(
        uploadV1.UploadChunksRequestSchema,
        create(uploadV1.UploadChunksRequestSchema, { chunk: { uploadId: 'u1' } }),
      ),
    );
    const error = await new Promise<Partial<ServiceError>>((resolve) => {
      const call = client.makeClientStreamRequest(
        '/tessera.upload.v1.UploadService/UploadChunks',
        identity,
        identity,
        (failure) => resolve(failure ?? {}),
      );
      call.write(good);
      call.write(truncated);
      call.end();
    });
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining(
        'request: is not a valid tessera.upload.v1.UploadChunksRequest message',
      ),
    });
    expect(received).toEqual(['u1']);
  });
  it('ends a bidirectional stream at its first malformed message with INVALID_ARGUMENT, not left hanging', async () => {
    const good = Buffer.from(
      toBinary(
        uploadV1.StreamChunksRequestSchema,
        create(uploadV1.StreamChunksRequestSchema, { chunk: { chunkNumber: 4n } }),
      ),
    );
    const answers: Buffer[] = [];
    const error = await new Promise<Partial<ServiceError>>((resolve) => {
      const call = client.makeBidiStreamRequest(
        '/tessera.upload.v1.UploadService/StreamChunks',
        identity,
        identity,
        new Metadata(),
        { deadline: Date.now() + 5000 },
      );
      call.on('data', (answer: Buffer) => answers.push(answer));
      call.on('error', resolve);
      call.write(good);
      call.write(truncated);
    });
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining(
        'request: is not a valid tessera.upload.v1.StreamChunksRequest message',
      ),
    });
    expect(
      answers.map((answer) => fromBinary(uploadV1.StreamChunksResponseSchema, answer).result?.chunkNumber),
    ).toEqual([4n]);
  });
});

describe('a call its client cancelled', () => {
  it('is not translated (nor logged) as an unexpected failure of the handler', async () => {
    const translated: unknown[] = [];
    let cancelled!: () => void;
    const clientGone = new Promise<void>((resolve) => (cancelled = resolve));
    let ended!: (outcome: string) => void;
    const handlerEnded = new Promise<string>((resolve) => (ended = resolve));
    const server = new Server();
    const handler = grpcHandlerFor(
      uploadV1.UploadService.method.uploadChunks,
      'UploadChunks',
      async (requests) => {
        try {
          for await (const _ of requests as AsyncIterable<unknown>) await clientGone;
        } catch (error) {
          ended('failed'); // messages left unread when the client went: the stream fails midway
          throw error;
        }
        ended('returned');
        return { results: [] };
      },
      (error) => {
        translated.push(error);
        return { code: status.INTERNAL };
      },
    );
    server.addService(serviceDefinitionOf(uploadV1.UploadService), { UploadChunks: handler });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    const call = client.makeClientStreamRequest(
      '/tessera.upload.v1.UploadService/UploadChunks',
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      () => undefined,
    );
    for (let i = 0; i < 3; i++) call.write(Buffer.alloc(0));
    await new Promise((resolve) => setTimeout(resolve, 100));
    call.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
    cancelled();
    expect(await handlerEnded).toBe('failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
    server.forceShutdown();
    expect(translated).toEqual([]);
  });
});
