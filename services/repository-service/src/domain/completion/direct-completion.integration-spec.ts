import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@tessera/errors';
import type { RowDataPacket } from 'mysql2/promise';
import { directUploadsOn, plan, put, sha256 } from '../../testing/direct-uploads.fixture';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';

const MiB = 1024 * 1024;

describe('completing an upload the client wrote to MinIO itself: whose SHA-256 the node records', () => {
  let stack: RealStack;
  let uploads: ReturnType<typeof directUploadsOn>;

  beforeAll(async () => {
    stack = await openRealStack('direct_completion');
    uploads = directUploadsOn(stack);
  });
  afterAll(() => stack.close());
  afterEach(() => jest.restoreAllMocks());

  /** An upload whose two chunks the client PUT to MinIO: the whole file. */
  async function writtenByClient(): Promise<{ uploadId: string; nodeId: string; whole: Buffer }> {
    const upload = await uploads.newUpload();
    const parts = [randomBytes(5 * MiB), randomBytes(1000)];
    const urls = await uploads.presign(
      upload.uploadId,
      parts.map((data, n) => plan(n, data)),
      2,
    );
    expect(await Promise.all(urls.map((url, n) => put(url, parts[n]!)))).toEqual([200, 200]);
    return { ...upload, whole: Buffer.concat(parts) };
  }

  it("records the client's SHA-256 without reading the object back, with each part's SHA-256", async () => {
    const { uploadId, nodeId, whole } = await writtenByClient();
    const reads = jest.spyOn(stack.objects, 'readRange');
    const node = await uploads.completer.complete({ uploadId, totalChunks: 2, sha256: sha256(whole) });
    expect(reads).not.toHaveBeenCalled();
    expect(node).toMatchObject({
      sha256: sha256(whole),
      sha256VerifiedBy: 'client',
      partSha256: [sha256(whole.subarray(0, 5 * MiB)), sha256(whole.subarray(5 * MiB))],
    });
    const [rows] = await stack.pool.execute<RowDataPacket[]>(
      'SELECT sha256_verified_by, part_sha256 FROM nodes WHERE node_id = ?',
      [nodeId],
    );
    expect(rows[0]).toEqual({ sha256_verified_by: 'client', part_sha256: node.partSha256 });
  });

  it('reads the object back and records the service as the checker when asked to verify', async () => {
    const { uploadId, whole } = await writtenByClient();
    const reads = jest.spyOn(stack.objects, 'readRange');
    const node = await uploads.completer.complete({
      uploadId,
      totalChunks: 2,
      sha256: sha256(whole),
      verify: true,
    });
    expect(reads).toHaveBeenCalled();
    expect(node).toMatchObject({ sha256: sha256(whole), sha256VerifiedBy: 'service' });
  });

  it('fails with DATA_LOSS when verifying finds other bytes than the SHA-256 named', async () => {
    const { uploadId } = await writtenByClient();
    await expect(
      uploads.completer.complete({ uploadId, totalChunks: 2, sha256: sha256(randomBytes(8)), verify: true }),
    ).rejects.toMatchObject({ code: ErrorCode.DataLoss });
    expect((await stack.uploads.findUpload(uploadId))?.state).toBe('FAILED');
  });

  it('reopens chunks whose parts a late PUT overwrote (URL handed out before force), naming them', async () => {
    const { uploadId } = await uploads.newUpload();
    const writer = stack.chunkWriter('.staging/');
    const intact = randomBytes(5 * MiB);
    await writer.write({ ...plan(0, intact), uploadId, force: false }, [intact]);
    const planned = randomBytes(5 * MiB);
    const [url] = await uploads.presign(uploadId, [plan(1, planned)], 2);
    const streamed = randomBytes(5 * MiB);
    await writer.write({ ...plan(1, streamed), uploadId, force: true }, [streamed]);
    expect(await put(url!, planned)).toBe(200); // the old URL still works until it expires

    const whole = Buffer.concat([intact, streamed]);
    await expect(
      uploads.completer.complete({ uploadId, totalChunks: 2, sha256: sha256(whole) }),
    ).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
      message: expect.stringContaining('S3 holds other bytes than were stored for chunks 1 '),
    });
    const status = await uploads.sessions.status(uploadId);
    expect(status.upload.state).toBe('IN_PROGRESS');
    expect(status.received).toEqual([{ first: 0, last: 0 }]);

    await writer.write({ ...plan(1, streamed), uploadId, force: false }, [streamed]);
    const node = await uploads.completer.complete({ uploadId, totalChunks: 2, sha256: sha256(whole) });
    expect(node).toMatchObject({ sha256: sha256(whole), sha256VerifiedBy: 'service' });
  });

  it('hashes the object itself when the client names no SHA-256', async () => {
    const { uploadId, whole } = await writtenByClient();
    const node = await uploads.completer.complete({ uploadId, totalChunks: 2, sha256: undefined });
    expect(node).toMatchObject({ sha256: sha256(whole), sha256VerifiedBy: 'service' });
  });
});
