import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ErrorCode } from '@tessera/errors';
import type { S3ObjectStore } from '@tessera/object-storage';
import type { TidbNodeStore } from '../../adapters/tidb/tidb-node-store';
import type { TidbUploadStore } from '../../adapters/tidb/tidb-upload-store';
import type { NodeVersion } from '@tessera/nodes';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { ChunkWriter } from '../chunks/chunk-writer';
import { ObjectAssembler } from './object-assembler';
import { UploadCompleter } from './upload-completer';
import { initiating, testUpload } from '../../testing/uploads.fixture';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('UploadCompleter with TiDB and MinIO', () => {
  let stack: RealStack;
  let objects: S3ObjectStore;
  let uploads: TidbUploadStore;
  let nodes: TidbNodeStore;
  let writer: ChunkWriter;
  let completer: UploadCompleter;

  beforeAll(async () => {
    stack = await openRealStack('completer');
    ({ objects, uploads, nodes } = stack);
    const options = {
      maxChunkBytes: 64 * MiB,
      maxChunkNumber: 1_000_000,
      claimStaleAfterMs: 60_000,
      stagingPrefix: '.staging/',
    };
    writer = new ChunkWriter(uploads, objects, options);
    completer = new UploadCompleter(
      uploads,
      nodes,
      objects,
      new ObjectAssembler(objects, { stagingPrefix: '.staging/', concurrency: 4 }),
      {
        versionWritten: async (node) => void changed.push(node.nodeId),
        nodeChanged: async (nodeId) => void changed.push(nodeId),
      },
    );
  });

  afterAll(() => stack.close());
  const changed: string[] = [];

  async function uploadWith(
    chunks: Map<number, Buffer>,
    name = `f-${randomUUID()}.bin`,
    expectedVersion?: number,
  ): Promise<string> {
    const uploadId = randomUUID();
    const nodeId = await nodes.resolveNodeId('d1', name, randomUUID());
    await uploads.createUpload(
      ...initiating(
        testUpload({ uploadId, nodeId, name, mimeType: 'application/octet-stream', expectedVersion }),
      ),
    );
    for (const [chunkNumber, data] of chunks) {
      await writer.write({ uploadId, chunkNumber, size: data.length, sha256: sha256(data), force: false }, [
        data,
      ]);
    }
    return uploadId;
  }

  it('completes a file into a node version with the whole-file sha256, byte-exact', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(2 * MiB), randomBytes(3)];
    const uploadId = await uploadWith(new Map(parts.map((data, n) => [n, data])));
    const whole = Buffer.concat(parts);
    const node = await completer.complete({ uploadId, totalChunks: 3, sha256: sha256(whole) });
    expect(node).toMatchObject({ version: 1, size: whole.length, sha256: sha256(whole), uploadId });
    expect(sha256(await buffer(await objects.readRange(node.objectKey, 0, node.size)))).toBe(sha256(whole));
    expect((await uploads.findUpload(uploadId))?.state).toBe('COMPLETED');
  });

  it('refuses to complete with chunks missing, naming them, and lets the upload go on', async () => {
    const uploadId = await uploadWith(
      new Map([
        [0, randomBytes(10)],
        [3, randomBytes(10)],
        [4, randomBytes(10)],
      ]),
    );
    await expect(completer.complete({ uploadId, totalChunks: 7, sha256: undefined })).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
      message: expect.stringContaining('missing chunks 1-2, 5-6'),
    });
    expect((await uploads.findUpload(uploadId))?.state).toBe('IN_PROGRESS');
    await expect(completer.complete({ uploadId, totalChunks: 2, sha256: undefined })).rejects.toThrow(
      'chunks 3-4 are beyond total_chunks 2',
    );
  });

  it('gives two concurrent completes one completion: the same version, or retry later', async () => {
    const uploadId = await uploadWith(new Map([[0, randomBytes(100)]]));
    const request = { uploadId, totalChunks: undefined, sha256: undefined };
    const results = await Promise.allSettled([completer.complete(request), completer.complete(request)]);
    const versions = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(versions.length).toBeGreaterThanOrEqual(1);
    for (const version of versions) expect(version).toEqual(versions[0]);
    for (const refused of results.filter((r) => r.status === 'rejected')) {
      expect(refused.reason).toMatchObject({ code: ErrorCode.Unavailable, retryAfterSeconds: 1 });
      expect(refused.reason.message).toMatch(/is being completed by an earlier CompleteUpload; retry/);
    }
    // Asked again once done (its answer lost): the version recorded the first time.
    expect(await completer.complete(request)).toEqual(versions[0]);
    await expect(completer.complete({ ...request, sha256: 'a'.repeat(64) })).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
      message: expect.stringContaining(`not the sha256 ${'a'.repeat(64)} asked for`),
    });
  });

  it('fails the upload when the whole-file sha256 differs from the client’s, with both values', async () => {
    const data = randomBytes(1000);
    const uploadId = await uploadWith(new Map([[0, data]]));
    const wrong = 'f'.repeat(64);
    await expect(completer.complete({ uploadId, totalChunks: 1, sha256: wrong })).rejects.toMatchObject({
      code: ErrorCode.DataLoss,
      message: expect.stringMatching(new RegExp(`${sha256(data)}.*${wrong}`)),
    });
    const failed = (await uploads.findUpload(uploadId))!;
    expect(failed.state).toBe('FAILED');
    // The assembled object was its own version of the key: discarded, so nothing of it is readable.
    expect(await stack.versionsUnder(failed.objectKey)).toEqual([]);
  });

  it('makes a second upload of the same name version 2 of the same node', async () => {
    const name = `same-${randomUUID()}.txt`;
    const first = await completer.complete({
      uploadId: await uploadWith(new Map([[0, randomBytes(5)]]), name),
      totalChunks: 1,
      sha256: undefined,
    });
    const second = await completer.complete({
      uploadId: await uploadWith(new Map([[0, randomBytes(6)]]), name),
      totalChunks: 1,
      sha256: undefined,
    });
    expect(second).toMatchObject({ nodeId: first.nodeId, version: 2, size: 6 });
  });

  it('announces every new version, and answers UNAVAILABLE naming the durable version when it cannot', async () => {
    const announced = await completer.complete({
      uploadId: await uploadWith(new Map([[0, randomBytes(5)]])),
      totalChunks: 1,
      sha256: undefined,
    });
    expect(changed).toContain(announced.nodeId);

    const unannounced = new UploadCompleter(
      uploads,
      nodes,
      stack.objects,
      new ObjectAssembler(stack.objects, { stagingPrefix: '.staging/', concurrency: 4 }),
      {
        versionWritten: () => Promise.reject(new Error('metadata service down')),
        nodeChanged: () => Promise.reject(new Error('metadata service down')),
      },
    );
    const uploadId = await uploadWith(new Map([[0, randomBytes(5)]]));
    await expect(unannounced.complete({ uploadId, totalChunks: 1, sha256: undefined })).rejects.toMatchObject(
      {
        code: ErrorCode.Unavailable,
        message: expect.stringMatching(/completed as version 1 of node .* could not be refreshed/),
      },
    );
    expect((await uploads.findUpload(uploadId))?.state).toBe('COMPLETED');
    // Asked again (as the client does after UNAVAILABLE): the cache is refreshed this time.
    const before = changed.length;
    const version = await completer.complete({ uploadId, totalChunks: 1, sha256: undefined });
    expect(version.version).toBe(1);
    expect(changed.slice(before)).toEqual([version.nodeId]);
  });

  it('lets exactly one of two writes expecting the same version win; the other is refused and leaves nothing', async () => {
    const name = `contested-${randomUUID()}.bin`;
    const contenders = [
      await uploadWith(new Map([[0, randomBytes(10)]]), name, 0),
      await uploadWith(new Map([[0, randomBytes(20)]]), name, 0),
    ];
    const results = await Promise.allSettled(
      contenders.map((uploadId) => completer.complete({ uploadId, totalChunks: 1, sha256: undefined })),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({
      code: ErrorCode.Conflict,
      message: expect.stringMatching(/is at version 1, but this write expected version 0/),
    });
    const winner = (won[0] as PromiseFulfilledResult<NodeVersion>).value;
    expect(winner.version).toBe(1);
    const states = await Promise.all(contenders.map(async (id) => (await uploads.findUpload(id))!.state));
    expect(states.sort()).toEqual(['COMPLETED', 'FAILED']);
    // Only the winner's bytes are stored under the node's key.
    expect(await stack.versionsUnder(winner.objectKey)).toEqual([
      `${winner.objectKey}@${winner.objectVersionId}`,
    ]);
  });

  it('answers NOT_FOUND for an unknown upload', async () => {
    await expect(
      completer.complete({ uploadId: randomUUID(), totalChunks: undefined, sha256: undefined }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });
});
