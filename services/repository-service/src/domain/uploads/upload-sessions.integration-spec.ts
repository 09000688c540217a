import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode } from '@tessera/errors';
import type { S3ObjectStore } from '@tessera/object-storage';
import type { TidbUploadStore } from '../../adapters/tidb/tidb-upload-store';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { ChunkWriter } from '../chunks/chunk-writer';
import { stagingKeyOf } from '../chunks/staged-objects';
import { UploadSessions, type InitiateRequest } from './upload-sessions';

const MiB = 1024 * 1024;
const STAGING = '.staging/';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('UploadSessions with TiDB and MinIO', () => {
  let stack: RealStack;
  let objects: S3ObjectStore;
  let uploads: TidbUploadStore;
  let sessions: UploadSessions;
  let writer: ChunkWriter;

  beforeAll(async () => {
    stack = await openRealStack('sessions');
    ({ objects, uploads } = stack);
    sessions = new UploadSessions(uploads, stack.nodes, objects, {
      objectKeyTemplate: '{drive_id}/{node_id}',
      stagingPrefix: STAGING,
    });
    writer = stack.chunkWriter(STAGING);
  });

  afterAll(() => stack.close());

  const request = (overrides: Partial<InitiateRequest> = {}): InitiateRequest => ({
    name: `file-${randomUUID()}.bin`,
    driveId: 'drive-1',
    mimeType: undefined,
    userMetadata: {},
    idempotencyKey: undefined,
    expectedVersion: undefined,
    ...overrides,
  });

  async function write(uploadId: string, chunkNumber: number, data: Buffer): Promise<void> {
    await writer.write({ uploadId, chunkNumber, size: data.length, sha256: sha256(data), force: false }, [
      data,
    ]);
  }

  it('opens an upload with an object key from the template and the same node for the same name', async () => {
    const first = await sessions.initiate(request({ name: 'same.txt' }));
    expect(first).toMatchObject({ state: 'INITIATED', objectKey: `drive-1/${first.nodeId}` });
    const second = await sessions.initiate(request({ name: 'same.txt' }));
    expect(second.nodeId).toBe(first.nodeId);
    expect(second.uploadId).not.toBe(first.uploadId);
  });

  it('returns the same upload for the same idempotency key, and refuses it for another file', async () => {
    const key = `key-${randomUUID()}`;
    const first = await sessions.initiate(request({ name: 'a.bin', idempotencyKey: key }));
    expect((await sessions.initiate(request({ name: 'a.bin', idempotencyKey: key }))).uploadId).toBe(
      first.uploadId,
    );
    await expect(sessions.initiate(request({ name: 'b.bin', idempotencyKey: key }))).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
    });
  });

  it('checks an expected version at initiate: 0 for a new name, the latest version for an existing one', async () => {
    const name = `expected-${randomUUID()}.bin`;
    const upload = await sessions.initiate(request({ name, expectedVersion: 0 }));
    expect(upload.expectedVersion).toBe(0);
    await expect(sessions.initiate(request({ name, expectedVersion: 3 }))).rejects.toMatchObject({
      code: ErrorCode.Conflict,
      message: expect.stringContaining('is at version 0, but this write expected version 3'),
    });
  });

  it.each([
    [{ expectedVersion: -1 }, 'expected_version:'],
    [{ name: '' }, 'name: must not be empty'],
    [{ name: 'a\u0000b' }, 'name: must not contain control characters'],
    [{ name: '..' }, 'name: must not be'],
    [{ driveId: '../etc' }, 'drive_id:'],
    [{ driveId: '' }, 'drive_id:'],
    [{ mimeType: 'x'.repeat(300) }, 'mime_type: must be at most 255'],
  ])('refuses %j naming the field', async (overrides, message) => {
    await expect(sessions.initiate(request(overrides))).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining(message),
    });
  });

  it('reports received and missing chunks as ranges, and the bytes received', async () => {
    const { uploadId } = await sessions.initiate(request());
    for (const n of [0, 1, 2, 5, 9]) await write(uploadId, n, randomBytes(10));
    expect(await sessions.status(uploadId)).toMatchObject({
      upload: { state: 'IN_PROGRESS' },
      received: [
        { first: 0, last: 2 },
        { first: 5, last: 5 },
        { first: 9, last: 9 },
      ],
      missing: [
        { first: 3, last: 4 },
        { first: 6, last: 8 },
      ],
      receivedBytes: 50,
    });
    await expect(sessions.status(randomUUID())).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('aborts: the multipart upload and staged chunks are removed, chunks are refused, abort is idempotent', async () => {
    const upload = await sessions.initiate(request());
    await write(upload.uploadId, 0, randomBytes(5 * MiB));
    await write(upload.uploadId, 1, randomBytes(10));
    await sessions.abort(upload.uploadId);
    await sessions.abort(upload.uploadId);
    expect((await sessions.status(upload.uploadId)).upload.state).toBe('ABORTED');
    await expect(objects.headObject(stagingKeyOf(STAGING, upload.uploadId, 1))).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    const multipartUploadId = (await uploads.findUpload(upload.uploadId))!.multipartUploadId!;
    await expect(
      objects.uploadPart({ key: upload.objectKey, uploadId: multipartUploadId }, 3, Buffer.from('x'), 1),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(write(upload.uploadId, 2, randomBytes(10))).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
    });
  });
});
