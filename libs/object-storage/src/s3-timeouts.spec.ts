import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ErrorCode } from '@tessera/errors';
import { createS3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';
import { requestHandlerOptions, type S3Timeouts } from './s3-timeouts';

describe('requestHandlerOptions', () => {
  it('sets the connect and idle timeouts, and a whole-request limit only when asked for', () => {
    expect(requestHandlerOptions({ connectMs: 5000, idleMs: 60_000, requestMs: 0 })).toEqual({
      connectionTimeout: 5000,
      socketTimeout: 60_000,
    });
    expect(requestHandlerOptions({ connectMs: 0, idleMs: 0, requestMs: 600_000 })).toEqual({
      connectionTimeout: 0,
      socketTimeout: 0,
      requestTimeout: 600_000,
      throwOnRequestTimeout: true, // without it the SDK only logs a warning
    });
  });

  it('refuses a negative or fractional timeout, naming it', () => {
    expect(() => requestHandlerOptions({ connectMs: 5000, idleMs: -1, requestMs: 0 })).toThrow(/idleMs/);
    expect(() => requestHandlerOptions({ connectMs: 0.5, idleMs: 0, requestMs: 0 })).toThrow(/connectMs/);
  });
});

describe('S3 client timeouts against an endpoint that accepts connections and never answers', () => {
  let server: Server;
  let connections = 0;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((request) => request.resume()); // reads every request, answers none
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => (connections = 0));

  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  function storeWith(timeouts: S3Timeouts, maxAttempts: number): S3ObjectStore {
    const s3 = createS3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      maxAttempts,
      timeouts,
    });
    return new S3ObjectStore(s3, 'bucket');
  }

  it('cuts each silent attempt after the idle timeout and retries it on a new connection', async () => {
    const store = storeWith({ connectMs: 1000, idleMs: 300, requestMs: 0 }, 3);
    const startedAt = performance.now();
    await expect(store.headObject('key')).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: 'object storage unavailable: HeadObject key: S3 timed out (3 attempts)',
    });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(3 * 300 - 50);
    expect(connections).toBe(3); // a timed-out connection is destroyed, never reused
  }, 10_000);

  it('fails a streamed body (a chunk) after one silent attempt: the SDK cannot send a stream twice', async () => {
    const store = storeWith({ connectMs: 1000, idleMs: 300, requestMs: 0 }, 3);
    const body = Readable.from([Buffer.alloc(1024)]);
    await expect(store.uploadPart({ key: 'key', uploadId: 'u' }, 1, body, 1024)).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: expect.stringMatching(/^object storage unavailable: UploadPart key: S3 timed out/),
    });
    expect(connections).toBe(1);
  }, 10_000);

  it('fails a request unanswered within the whole-request limit, the idle timeout off', async () => {
    const store = storeWith({ connectMs: 1000, idleMs: 0, requestMs: 300 }, 1);
    await expect(store.headObject('key')).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: 'object storage unavailable: HeadObject key: S3 timed out (1 attempt)',
    });
  }, 10_000);
});

describe('a ranged read whose answer goes silent midway', () => {
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    // Answers a GetObject with its headers and the first 10 of 100 bytes, then says nothing more.
    server = createServer((_request, response) => {
      response.writeHead(206, { 'Content-Length': '100', ETag: '"e"' });
      response.write(Buffer.alloc(10));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  it('fails its body UNAVAILABLE, S3 timed out, after the idle timeout (not with the SDK error)', async () => {
    const s3 = createS3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      maxAttempts: 1,
      timeouts: { connectMs: 1000, idleMs: 300, requestMs: 0 },
    });
    const body = await new S3ObjectStore(s3, 'bucket').readRange('key', 0, 100);
    await expect(buffer(body)).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: 'object storage unavailable: GetObject key: S3 timed out',
    });
    s3.destroy();
  }, 10_000);
});
