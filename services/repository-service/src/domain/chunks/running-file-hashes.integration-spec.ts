import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { initiating, testUpload } from '../../testing/uploads.fixture';
import { ChunkWriter } from './chunk-writer';
import { ObjectAssembler } from '../completion/object-assembler';
import { RunningFileHashes } from './running-file-hashes';
import { UploadCompleter } from '../completion/upload-completer';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A chunk's bytes in 256 KiB pieces, each after a short random pause, as frames arrive. */
async function* slowly(data: Buffer): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += 256 * 1024) {
    await sleep(Math.random() * 5);
    yield data.subarray(offset, offset + 256 * 1024);
  }
}

describe('CompleteUpload with the running file hash, on TiDB and MinIO', () => {
  let stack: RealStack;
  /** Ranged reads the completer made of assembled objects. */
  const readBack: { offset: number; length: number }[] = [];

  beforeAll(async () => {
    stack = await openRealStack('running_hash');
  });
  afterAll(() => stack.close());
  beforeEach(() => (readBack.length = 0));

  /** A writer and a completer sharing running hashes that hold at most `heldBytes`. */
  function repository(heldBytes: number) {
    const { objects, uploads, nodes } = stack;
    const hashes = new RunningFileHashes({ maxHeldBytes: heldBytes, maxUploads: 100 });
    const watched: ObjectStore = Object.assign(Object.create(objects) as ObjectStore, {
      readRange: (key: string, offset: number, length: number, versionId?: string) => {
        readBack.push({ offset, length });
        return objects.readRange(key, offset, length, versionId);
      },
    });
    const options = {
      maxChunkBytes: 64 * MiB,
      maxChunkNumber: 1000,
      claimStaleAfterMs: 60_000,
      stagingPrefix: '.s/',
    };
    const writer = new ChunkWriter(uploads, objects, options, hashes);
    const assembler = new ObjectAssembler(objects, { stagingPrefix: '.s/', concurrency: 4 });
    const completer = new UploadCompleter(
      uploads,
      nodes,
      watched,
      assembler,
      { versionWritten: async () => {}, nodeChanged: async () => {} },
      hashes,
    );
    return { writer, completer, hashes };
  }

  async function newUpload(): Promise<string> {
    const name = `f-${randomUUID()}.bin`;
    const nodeId = await stack.nodes.resolveNodeId('d1', name, randomUUID());
    const upload = testUpload({ uploadId: randomUUID(), nodeId, name });
    await stack.uploads.createUpload(...initiating(upload));
    return upload.uploadId;
  }

  function writeChunk(
    writer: ChunkWriter,
    uploadId: string,
    chunkNumber: number,
    data: Buffer,
    force = false,
  ) {
    return writer.write(
      { uploadId, chunkNumber, size: data.length, sha256: sha256(data), force },
      slowly(data),
    );
  }

  async function storedBytes(objectKey: string, size: number): Promise<string> {
    return sha256(await buffer(await stack.objects.readRange(objectKey, 0, size)));
  }

  it('completes chunks written side by side without reading the object back', async () => {
    const { writer, completer, hashes } = repository(64 * MiB);
    const uploadId = await newUpload();
    const chunks = Array.from({ length: 8 }, (_, n) => randomBytes(n === 7 ? 300_000 : 5 * MiB));
    await Promise.all(chunks.map((data, n) => writeChunk(writer, uploadId, n, data)));
    const whole = Buffer.concat(chunks);
    const node = await completer.complete({ uploadId, totalChunks: 8, sha256: sha256(whole) });
    expect(readBack).toEqual([]);
    expect(hashes.heldBytes).toBe(0);
    expect(node.sha256).toBe(sha256(whole));
    expect(await storedBytes(node.objectKey, node.size)).toBe(sha256(whole));
  });

  it('reads back only the chunks after those it could hash, when they did not fit in memory', async () => {
    const { writer, completer } = repository(1 * MiB);
    const uploadId = await newUpload();
    const chunks = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(5 * MiB)];
    for (const n of [0, 2, 1]) await writeChunk(writer, uploadId, n, chunks[n]!);
    const whole = Buffer.concat(chunks);
    const node = await completer.complete({ uploadId, totalChunks: 3, sha256: sha256(whole) });
    expect(readBack).toEqual([{ offset: 10 * MiB, length: 5 * MiB }]);
    expect(node.sha256).toBe(sha256(whole));
  });

  it('reads the whole object back when a hashed chunk was replaced (force)', async () => {
    const { writer, completer } = repository(64 * MiB);
    const uploadId = await newUpload();
    const chunks = [randomBytes(5 * MiB), randomBytes(1000)];
    await writeChunk(writer, uploadId, 0, randomBytes(5 * MiB));
    await writeChunk(writer, uploadId, 1, chunks[1]!);
    await writeChunk(writer, uploadId, 0, chunks[0]!, true);
    const whole = Buffer.concat(chunks);
    const node = await completer.complete({ uploadId, totalChunks: 2, sha256: sha256(whole) });
    expect(readBack).toEqual([{ offset: 0, length: whole.length }]);
    expect(node.sha256).toBe(sha256(whole));
    expect(await storedBytes(node.objectKey, node.size)).toBe(sha256(whole));
  });

  it('checks a mismatch against the object itself before failing the upload with DATA_LOSS', async () => {
    const { writer, completer } = repository(64 * MiB);
    const uploadId = await newUpload();
    const chunks = [randomBytes(5 * MiB), randomBytes(1000)];
    await Promise.all(chunks.map((data, n) => writeChunk(writer, uploadId, n, data)));
    const expected = 'a'.repeat(64);
    await expect(completer.complete({ uploadId, totalChunks: 2, sha256: expected })).rejects.toMatchObject({
      code: ErrorCode.DataLoss,
      message: expect.stringContaining(sha256(Buffer.concat(chunks))),
    });
    expect(readBack).toEqual([{ offset: 0, length: 5 * MiB + 1000 }]);
  });
});
