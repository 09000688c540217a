import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ErrorCode } from '@tessera/errors';
import type { S3ObjectStore } from '@tessera/object-storage';
import type { RowDataPacket } from 'mysql2/promise';
import type { TidbUploadStore } from '../../adapters/tidb/tidb-upload-store';
import { recordingCalls } from '../../testing/call-recorder.fixture';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { initiating, testUpload } from '../../testing/uploads.fixture';
import { planAssembly } from '../completion/assembly-plan';
import { ObjectAssembler } from '../completion/object-assembler';
import type { UploadStore } from '../ports/upload-store.port';
import { ChunkBatchWriter, type BatchChunk } from './chunk-batch-writer';
import { ChunkWriter } from './chunk-writer';
import { stagingFolderOf } from './staged-objects';

const KiB = 1024;
const STAGING = '.tessera-staging/';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const options = { maxChunkBytes: 64 * 1024 * KiB, maxChunkNumber: 1_000_000, stagingPrefix: STAGING };

const batchOf = (uploadId: string, chunks: Map<number, Buffer>): BatchChunk[] =>
  [...chunks].map(([chunkNumber, data]) => ({
    header: { uploadId, chunkNumber, size: data.length, sha256: sha256(data), force: false },
    data,
  }));

describe('group commit: ChunkBatchWriter with TiDB and MinIO', () => {
  let stack: RealStack;
  let objects: S3ObjectStore;
  let store: TidbUploadStore;

  beforeAll(async () => {
    stack = await openRealStack('chunk_batches');
    ({ objects, uploads: store } = stack);
  });

  afterAll(() => stack.close());

  async function newUpload(): Promise<string> {
    const uploadId = randomUUID();
    await store.createUpload(...initiating(testUpload({ uploadId, nodeId: randomUUID() })));
    return uploadId;
  }

  async function stagedKeys(uploadId: string): Promise<string[]> {
    const prefix = stagingFolderOf(STAGING, uploadId);
    const page = await stack.s3.send(new ListObjectsV2Command({ Bucket: objects.bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((object) => object.Key!.slice(prefix.length));
  }

  async function chunkEvents(uploadId: string): Promise<number> {
    const upload = (await store.findUpload(uploadId))!;
    const [rows] = await stack.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM outbox_events WHERE event_key = ? AND event_type LIKE '%ChunkUploaded'",
      [upload.nodeId],
    );
    return Number(rows[0]!['n']);
  }

  /** The store, counting its transactions (a connection taken from the pool each). */
  function countingTransactions(): { writer: ChunkBatchWriter; transactions: () => number } {
    let taken = 0;
    const getConnection = stack.pool.getConnection.bind(stack.pool);
    jest.spyOn(stack.pool, 'getConnection').mockImplementation(() => {
      taken++;
      return getConnection();
    });
    const writer = new ChunkBatchWriter(store, objects, { ...options, claimStaleAfterMs: 60_000 });
    return { writer, transactions: () => taken };
  }

  afterEach(() => jest.restoreAllMocks());

  it('stages 100 chunks as one object, claimed in one transaction and recorded with their events in one', async () => {
    const uploadId = await newUpload();
    const chunks = new Map([...Array(100).keys()].map((n) => [n, randomBytes(64 * KiB)]));
    const { writer, transactions } = countingTransactions();
    const settled = await writer.writeBatch(batchOf(uploadId, chunks));
    expect(settled.every((s) => s.status === 'fulfilled' && !s.value.duplicate)).toBe(true);
    // the claim and the record (the upload's move to IN_PROGRESS is a statement of its own)
    expect(transactions()).toBe(2);
    expect(await stagedKeys(uploadId)).toEqual([expect.stringMatching(/^b0-99-[0-9a-f-]{36}$/)]);
    const stored = await store.listStoredChunks(uploadId);
    expect(stored.map((chunk) => chunk.staged?.offset)).toEqual([...chunks.keys()].map((n) => n * 64 * KiB));
    expect(await chunkEvents(uploadId)).toBe(100);
    expect((await store.findUpload(uploadId))?.state).toBe('IN_PROGRESS');

    const next = new Map([...Array(50).keys()].map((n) => [100 + n, randomBytes(4 * KiB)]));
    const before = transactions();
    await writer.writeBatch(batchOf(uploadId, next));
    expect(transactions() - before).toBe(2);
  });

  it('answers each chunk as it would be answered alone: stored, duplicate, conflicting, corrupt', async () => {
    const uploadId = await newUpload();
    const single = stack.chunkWriter(STAGING);
    const same = randomBytes(1000);
    const other = randomBytes(1000);
    await single.write({ uploadId, chunkNumber: 1, size: 1000, sha256: sha256(same), force: false }, [same]);
    await single.write({ uploadId, chunkNumber: 2, size: 1000, sha256: sha256(other), force: false }, [
      other,
    ]);
    const batch = batchOf(
      uploadId,
      new Map([
        [0, randomBytes(1000)],
        [1, same],
        [2, randomBytes(1000)],
        [3, randomBytes(1000)],
        [4, randomBytes(1000)],
      ]),
    );
    batch[3]!.data = randomBytes(1000); // not the bytes its SHA-256 names
    const writer = new ChunkBatchWriter(store, objects, { ...options, claimStaleAfterMs: 60_000 });
    const settled = await writer.writeBatch(batch);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ duplicate: false }) });
    expect(settled[1]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ duplicate: true }) });
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.AlreadyExists } });
    expect(settled[3]).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.DataLoss } });
    expect(settled[4]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ duplicate: false }) });
    const stored = await store.listStoredChunks(uploadId);
    expect(stored.map((chunk) => [chunk.chunkNumber, chunk.staged?.offset])).toEqual([
      [0, 0],
      [1, 0], // its own object, as written alone
      [2, 0],
      [4, 1000], // right after chunk 0 in the batch's object
    ]);
    expect(stored[2]!.sha256).toBe(sha256(other));
  });

  it('completes from batch objects byte for byte, in any order of arrival', async () => {
    const uploadId = await newUpload();
    const chunks = [...Array(40).keys()].map(() => randomBytes(100 * KiB + 17));
    const writer = new ChunkBatchWriter(store, objects, { ...options, claimStaleAfterMs: 60_000 });
    const order = [...chunks.keys()].sort(() => Math.random() - 0.5);
    for (let k = 0; k < order.length; k += 13) {
      const numbers = order.slice(k, k + 13);
      await writer.writeBatch(batchOf(uploadId, new Map(numbers.map((n) => [n, chunks[n]!]))));
    }
    expect(await stagedKeys(uploadId)).toHaveLength(4);
    // A chunk of a batch replaced with force is written alone, and read from its own object after.
    chunks[5] = randomBytes(100 * KiB + 17);
    const replaced = {
      uploadId,
      chunkNumber: 5,
      size: chunks[5].length,
      sha256: sha256(chunks[5]),
      force: true,
    };
    await stack.chunkWriter(STAGING).write(replaced, [chunks[5]]);
    const stored = await store.listStoredChunks(uploadId);
    expect(stored[5]!.staged).toEqual({ object: '5', offset: 0 });
    const assembler = new ObjectAssembler(objects, { stagingPrefix: STAGING, concurrency: 4 });
    const upload = (await store.findUpload(uploadId))!;
    const assembled = await assembler.assemble(upload, stored, planAssembly(stored));
    const bytes = await buffer(await objects.readRange(assembled.key, 0, assembled.size));
    expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
    expect(await stagedKeys(uploadId)).toEqual([]);
  });

  it('completes with batch objects of at least 5 MiB copied inside S3, not read back', async () => {
    const uploadId = await newUpload();
    const chunks = [...Array(190).keys()].map(() => randomBytes(64 * KiB));
    const writer = new ChunkBatchWriter(store, objects, { ...options, claimStaleAfterMs: 60_000 });
    for (const numbers of [
      [0, 90],
      [90, 180],
      [180, 190],
    ]) {
      const batch = chunks.slice(numbers[0], numbers[1]).map((data, k) => [numbers[0]! + k, data] as const);
      await writer.writeBatch(batchOf(uploadId, new Map(batch)));
    }
    const { recorded: counted, calls } = recordingCalls(objects);
    const stored = await store.listStoredChunks(uploadId);
    const assembler = new ObjectAssembler(counted, { stagingPrefix: STAGING, concurrency: 4 });
    const upload = (await store.findUpload(uploadId))!;
    const assembled = await assembler.assemble(upload, stored, planAssembly(stored));
    expect(calls.filter((call) => call === 'uploadPartCopy')).toHaveLength(3);
    expect(calls).not.toContain('readRange');
    const bytes = await buffer(await objects.readRange(assembled.key, 0, assembled.size));
    expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('a crash between the object and its record loses only the unanswered chunks, which are written again', async () => {
    const uploadId = await newUpload();
    const chunks = new Map([...Array(10).keys()].map((n) => [n, randomBytes(8 * KiB)]));
    const crashing: UploadStore = Object.create(store, {
      markBatchStored: { value: () => Promise.reject(new Error('killed before the record')) },
    });
    const dying = new ChunkBatchWriter(crashing, objects, { ...options, claimStaleAfterMs: 200 });
    const died = await dying.writeBatch(batchOf(uploadId, chunks));
    expect(died).toEqual([...chunks.keys()].map(() => ({ status: 'rejected', reason: expect.any(Error) })));
    expect(await store.listStoredChunks(uploadId)).toEqual([]); // GetUploadStatus lists none of them
    expect(await chunkEvents(uploadId)).toBe(0);

    const writer = new ChunkBatchWriter(store, objects, { ...options, claimStaleAfterMs: 200 });
    const whileClaimed = await writer.writeBatch(batchOf(uploadId, chunks));
    expect(whileClaimed[0]).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.Unavailable } });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the dead writer's claims go stale
    const again = await writer.writeBatch(batchOf(uploadId, chunks));
    expect(again.every((s) => s.status === 'fulfilled')).toBe(true);
    expect((await store.listStoredChunks(uploadId)).map((chunk) => chunk.chunkNumber)).toEqual([
      ...chunks.keys(),
    ]);
    expect(await chunkEvents(uploadId)).toBe(10);
  });

  it('is what ChunkWriter.writeBatch does', async () => {
    const uploadId = await newUpload();
    const writer: ChunkWriter = stack.chunkWriter(STAGING);
    const settled = await writer.writeBatch(
      batchOf(
        uploadId,
        new Map([
          [0, randomBytes(10)],
          [1, randomBytes(10)],
        ]),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
  });
});
