import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode } from '@tessera/errors';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { createProxy, eventually, minioClientOptions, stackEndpoints, type Proxy } from '@tessera/testing';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { initiating, testUpload } from '../../testing/uploads.fixture';
import { ChunkWriter, type ChunkHeader } from './chunk-writer';

const MiB = 1024 * 1024;
const IDLE_MS = 1000;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A chunk's bytes as its sender streams them; `closed` once the writer let go of them. */
function sentBody(data: Buffer): { body: AsyncIterable<Uint8Array>; sender: { closed: boolean } } {
  const sender = { closed: false };
  const body = (async function* () {
    try {
      for (let offset = 0; offset < data.length; offset += 256 * 1024)
        yield data.subarray(offset, offset + 256 * 1024);
    } finally {
      sender.closed = true;
    }
  })();
  return { body, sender };
}

describe('ChunkWriter when S3 hangs (MinIO behind Toxiproxy holding every byte)', () => {
  let stack: RealStack;
  let proxy: Proxy;
  let writer: ChunkWriter;
  let closeClient: () => void;

  beforeAll(async () => {
    stack = await openRealStack('chunk_writer_s3_hang');
    const { toxiproxy, minio } = stackEndpoints();
    proxy = await createProxy(
      toxiproxy.url,
      `chunk_writer_s3_hang_${Date.now()}`,
      new URL(minio.endpoint).host,
    );
    const s3 = createS3Client({
      ...minioClientOptions(3, process.env, { connectMs: 1000, idleMs: IDLE_MS, requestMs: 0 }),
      endpoint: `http://127.0.0.1:${proxy.port}`,
    });
    closeClient = () => s3.destroy();
    writer = new ChunkWriter(stack.uploads, new S3ObjectStore(s3, stack.objects.bucket), {
      maxChunkBytes: 64 * MiB,
      maxChunkNumber: 1_000_000,
      claimStaleAfterMs: 60_000,
      stagingPrefix: '.tessera-staging/',
    });
  });

  afterEach(() => proxy.clearToxics());

  afterAll(async () => {
    closeClient?.();
    await proxy?.remove();
    await stack?.close();
  });

  async function newUpload(): Promise<string> {
    const upload = testUpload({ uploadId: randomUUID() });
    await stack.uploads.createUpload(...initiating(upload));
    return upload.uploadId;
  }

  const headerFor = (uploadId: string, chunkNumber: number, data: Buffer): ChunkHeader => ({
    uploadId,
    chunkNumber,
    size: data.length,
    sha256: sha256(data),
    force: false,
  });

  async function failsWithin(write: Promise<unknown>, ms: number): Promise<void> {
    const startedAt = performance.now();
    await expect(write).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: expect.stringContaining('S3 timed out'),
    });
    expect(performance.now() - startedAt).toBeLessThan(ms);
  }

  it.each([
    ['a staged chunk (PutObject)', 1 * MiB],
    ['a direct part (UploadPart)', 6 * MiB],
  ])(
    'releases the writer of %s whose S3 request hangs, lets its bytes go, and stores it when sent again',
    async (_kind, size) => {
      const uploadId = await newUpload();
      const first = randomBytes(size);
      // A direct part needs the upload's multipart upload, created while S3 still answers.
      expect((await writer.write(headerFor(uploadId, 0, first), sentBody(first).body)).duplicate).toBe(false);
      const data = randomBytes(size);
      await proxy.stall();

      const hung = sentBody(data);
      // Streamed to S3, the chunk is not retried by the SDK: the write fails once the connection was
      // silent for the idle timeout, UNAVAILABLE, which the client answers by sending it again.
      await failsWithin(writer.write(headerFor(uploadId, 1, data), hung.body), IDLE_MS + 10_000);
      await eventually(() => expect(hung.sender.closed).toBe(true));

      await proxy.clearToxics();
      // The claim was released: sent again, the chunk is written, not refused as in progress.
      expect(await writer.write(headerFor(uploadId, 1, data), sentBody(data).body)).toEqual({
        chunkNumber: 1,
        sha256: sha256(data),
        duplicate: false,
      });
      const stored = await stack.uploads.listStoredChunks(uploadId);
      expect(stored.map((chunk) => [chunk.chunkNumber, chunk.sha256])).toEqual([
        [0, sha256(first)],
        [1, sha256(data)],
      ]);
    },
    30_000,
  );
});
