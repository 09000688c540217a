import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ErrorCode } from '@tessera/errors';
import { planAssembly } from './assembly-plan';
import type { S3ObjectStore } from '@tessera/object-storage';
import type { TidbUploadStore } from '../../adapters/tidb/tidb-upload-store';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { ChunkWriter } from '../chunks/chunk-writer';
import { stagingKeyOf } from '../chunks/staged-objects';
import { ObjectAssembler } from './object-assembler';
import { initiating, testUpload } from '../../testing/uploads.fixture';

const KiB = 1024;
const MiB = 1024 * KiB;
const STAGING = '.tessera-staging/';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function shuffled<T>(items: T[]): T[] {
  return items
    .map((item) => ({ item, order: Math.random() }))
    .sort((a, b) => a.order - b.order)
    .map(({ item }) => item);
}

describe('ObjectAssembler with TiDB and MinIO', () => {
  let stack: RealStack;
  let objects: S3ObjectStore;
  let store: TidbUploadStore;
  let assembler: ObjectAssembler;
  let writer: ChunkWriter;

  beforeAll(async () => {
    stack = await openRealStack('assembler');
    ({ objects, uploads: store } = stack);
    assembler = new ObjectAssembler(objects, { stagingPrefix: STAGING, concurrency: 4 });
    writer = stack.chunkWriter(STAGING);
  });

  afterAll(() => stack.close());

  /** Uploads the chunks in random order, 4 at a time, then assembles them. */
  async function uploadAndAssemble(chunks: Buffer[]) {
    const uploadId = randomUUID();
    const nodeId = randomUUID();
    await store.createUpload(
      ...initiating(testUpload({ uploadId, nodeId, mimeType: 'application/octet-stream' })),
    );
    const order = shuffled(chunks.map((_, n) => n));
    for (let i = 0; i < order.length; i += 4) {
      await Promise.all(
        order.slice(i, i + 4).map(async (n) => {
          const data = chunks[n]!;
          const header = { uploadId, chunkNumber: n, size: data.length, sha256: sha256(data), force: false };
          await writer.write(header, [data]);
        }),
      );
    }
    const stored = await store.listStoredChunks(uploadId);
    const plan = planAssembly(stored);
    const upload = (await store.findUpload(uploadId))!;
    const assembled = await assembler.assemble(upload, stored, plan);
    const bytes =
      assembled.size === 0
        ? Buffer.alloc(0)
        : await buffer(await objects.readRange(assembled.key, 0, assembled.size));
    return { uploadId, plan, assembled, bytes };
  }

  it('completes directly: large chunks as parts, a staged last chunk copied in the store', async () => {
    const chunks = [randomBytes(5 * MiB), randomBytes(5 * MiB + 3), randomBytes(1000)];
    const { plan, assembled, bytes, uploadId } = await uploadAndAssemble(chunks);
    expect(plan.kind).toBe('direct');
    expect(assembled.partSizes).toEqual(chunks.map((c) => c.length));
    expect(sha256(bytes)).toBe(sha256(Buffer.concat(chunks)));
    await expect(objects.headObject(stagingKeyOf(STAGING, uploadId, 2))).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('recomposes 200 chunks of 64 KiB, sent out of order, byte-exact', async () => {
    const chunks = Array.from({ length: 200 }, () => randomBytes(64 * KiB));
    const { plan, assembled, bytes } = await uploadAndAssemble(chunks);
    expect(plan.kind).toBe('recompose');
    expect(assembled.partSizes).toEqual([8 * MiB, 200 * 64 * KiB - 8 * MiB]);
    expect(sha256(bytes)).toBe(sha256(Buffer.concat(chunks)));
  });

  it('recomposes alternating 7 MiB and 1 KiB chunks, sent out of order, byte-exact, leaving one version', async () => {
    const chunks = Array.from({ length: 6 }, (_, n) => randomBytes(n % 2 === 0 ? 7 * MiB : KiB));
    const { plan, bytes, assembled, uploadId } = await uploadAndAssemble(chunks);
    expect(plan).toMatchObject({ kind: 'recompose', intermediateParts: expect.arrayContaining([1]) });
    expect(sha256(bytes)).toBe(sha256(Buffer.concat(chunks)));
    // The intermediate object of the large chunks was a version of the key: it is gone again.
    expect(await stack.versionsUnder(assembled.key)).toEqual([`${assembled.key}@${assembled.versionId}`]);
    expect(await stack.versionsUnder(`${STAGING}${uploadId}/`)).toEqual([]);
  });

  it('writes an empty object for an upload without chunks', async () => {
    const { plan, assembled } = await uploadAndAssemble([]);
    expect(plan.kind).toBe('empty');
    expect((await objects.headObject(assembled.key)).size).toBe(0);
  });
});
