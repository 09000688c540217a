import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createS3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';

/** A body that sends some bytes, then fails, as a chunk whose sender went away. */
function failingBody(): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(10);
      throw new Error('sender gone');
    })(),
  );
}

describe('S3ObjectStore with a body that fails midway', () => {
  let server: Server;
  let store: S3ObjectStore;

  beforeAll(async () => {
    // An S3 endpoint that waits for the whole body before it would answer (it never gets it).
    server = createServer((request) => request.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const s3 = createS3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      maxAttempts: 1,
      timeouts: { connectMs: 1000, idleMs: 0, requestMs: 0 },
    });
    store = new S3ObjectStore(s3, 'bucket');
  });

  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  it('fails PutObject instead of waiting for the rest of the bytes forever', async () => {
    await expect(store.putObject('key', failingBody(), 100)).rejects.toThrow();
  }, 5000);

  it('fails UploadPart the same way', async () => {
    await expect(store.uploadPart({ key: 'key', uploadId: 'u' }, 1, failingBody(), 100)).rejects.toThrow();
  }, 5000);
});
