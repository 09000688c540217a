import { randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ErrorCode } from '@tessera/errors';
import { S3DirectParts } from '@tessera/object-storage';
import type { RowDataPacket } from 'mysql2/promise';
import { directUploadsOn, plan, put, sha256 } from '../../testing/direct-uploads.fixture';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import type { ChunkWriter } from './chunk-writer';
import type { DirectChunks } from './direct-chunks';
import type { UploadCompleter } from '../completion/upload-completer';
import type { UploadSessions } from '../uploads/upload-sessions';

const MiB = 1024 * 1024;

describe('chunks written by the client straight to MinIO, recorded in TiDB', () => {
  let stack: RealStack;
  let direct: DirectChunks;
  let writer: ChunkWriter;
  let completer: UploadCompleter;
  let sessions: UploadSessions;
  let newUpload: ReturnType<typeof directUploadsOn>['newUpload'];
  let presign: ReturnType<typeof directUploadsOn>['presign'];

  beforeAll(async () => {
    stack = await openRealStack('direct_chunks');
    ({ direct, completer, sessions, newUpload, presign } = directUploadsOn(stack));
    writer = stack.chunkWriter('.staging/');
  });
  afterAll(() => stack.close());

  it('completes a file of client-written parts byte for byte, with a ChunkUploaded event per chunk', async () => {
    const { uploadId, nodeId } = await newUpload();
    const parts = [randomBytes(5 * MiB), randomBytes(1000)];
    const urls = await presign(
      uploadId,
      parts.map((data, n) => plan(n, data)),
      2,
    );
    expect(urls.map((url) => [url.chunkNumber, url.stored])).toEqual([
      [0, false],
      [1, false],
    ]);
    expect(await Promise.all(urls.map((url, n) => put(url, parts[n]!)))).toEqual([200, 200]);

    expect((await stack.uploads.listStoredChunks(uploadId)).length).toBe(0);
    expect((await sessions.status(uploadId)).received).toEqual([{ first: 0, last: 1 }]);
    expect(await direct.reconcile(uploadId)).toBe(0);
    expect((await stack.uploads.findUpload(uploadId))?.state).toBe('IN_PROGRESS');

    const whole = Buffer.concat(parts);
    const node = await completer.complete({ uploadId, totalChunks: 2, sha256: sha256(whole) });
    expect(node).toMatchObject({ size: whole.length, sha256: sha256(whole), partSizes: [5 * MiB, 1000] });
    expect(sha256(await buffer(await stack.objects.readRange(node.objectKey, 0, node.size)))).toBe(
      sha256(whole),
    );
    const [events] = await stack.pool.execute<RowDataPacket[]>(
      `SELECT event_type FROM outbox_events WHERE event_key = ? ORDER BY position`,
      [nodeId],
    );
    expect(events.map((row) => row['event_type'])).toEqual([
      'tessera.events.v1.UploadInitiated',
      'tessera.events.v1.ChunkUploaded',
      'tessera.events.v1.ChunkUploaded',
      'tessera.events.v1.UploadCompleted',
    ]);
  });

  it('never counts a part whose bytes MinIO refused, and completion names it missing', async () => {
    const { uploadId } = await newUpload();
    const data = randomBytes(MiB);
    const [url] = await presign(uploadId, [plan(0, data)], 1);
    expect(await put(url!, randomBytes(MiB))).toBe(400);
    expect(await direct.reconcile(uploadId)).toBe(0);
    await expect(completer.complete({ uploadId, totalChunks: 1, sha256: undefined })).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
      message: expect.stringContaining('missing chunks 0'),
    });
  });

  it('answers stored for bytes already stored, ALREADY_EXISTS for other bytes unless force', async () => {
    const { uploadId } = await newUpload();
    const data = randomBytes(5 * MiB);
    const [url] = await presign(uploadId, [plan(0, data)]);
    await put(url!, data);
    await direct.reconcile(uploadId);

    expect(await presign(uploadId, [plan(0, data)])).toEqual([{ chunkNumber: 0, stored: true }]);
    const other = randomBytes(5 * MiB);
    await expect(presign(uploadId, [plan(0, other)])).rejects.toMatchObject({
      code: ErrorCode.AlreadyExists,
    });
    // A batch is planned whole or not at all: chunk 1 is not planned beside the refused chunk 0.
    await expect(presign(uploadId, [plan(1, randomBytes(5 * MiB)), plan(0, other)])).rejects.toMatchObject({
      code: ErrorCode.AlreadyExists,
      message: expect.stringContaining('chunk 0'),
    });
    const [rows] = await stack.pool.execute<RowDataPacket[]>(
      'SELECT chunk_number FROM upload_chunks WHERE upload_id = ? AND chunk_number = 1',
      [uploadId],
    );
    expect(rows).toEqual([]);
    const [replacing] = await presign(uploadId, [plan(0, other)], undefined, true);
    expect(replacing).toMatchObject({ stored: false, partNumber: 1 });
    expect((await stack.uploads.listStoredChunks(uploadId)).length).toBe(0);
  });

  it('lets a streamed chunk replace a planned one, and mixes client parts with a staged last chunk', async () => {
    const { uploadId } = await newUpload();
    const first = randomBytes(5 * MiB);
    const second = randomBytes(5 * MiB);
    const last = randomBytes(10);
    const [firstUrl] = await presign(uploadId, [plan(0, first), plan(1, second)]);
    expect(await put(firstUrl!, first)).toBe(200);
    // Chunk 1 arrives streamed instead: it takes the plan over.
    await writer.write({ ...plan(1, second), uploadId, force: false }, [second]);
    await writer.write({ ...plan(2, last), uploadId, force: false }, [last]);
    expect(await direct.reconcile(uploadId)).toBe(1);

    const whole = Buffer.concat([first, second, last]);
    const node = await completer.complete({ uploadId, totalChunks: 3, sha256: sha256(whole) });
    expect(sha256(await buffer(await stack.objects.readRange(node.objectKey, 0, node.size)))).toBe(
      sha256(whole),
    );
  });

  it('leaves no multipart upload in MinIO when the janitor aborts an abandoned direct upload', async () => {
    const { uploadId } = await newUpload();
    const data = randomBytes(5 * MiB);
    const [url] = await presign(uploadId, [plan(0, data)]);
    expect(await put(url!, data)).toBe(200);
    const upload = (await stack.uploads.findUpload(uploadId))!;
    const target = { key: upload.objectKey, uploadId: upload.multipartUploadId! };
    expect((await new S3DirectParts(stack.s3, stack.s3, stack.objects.bucket).listParts(target)).length).toBe(
      1,
    );

    expect(await sessions.abortIfIdle(upload, 0)).toBe(true);
    await expect(
      new S3DirectParts(stack.s3, stack.s3, stack.objects.bucket).listParts(target),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(put(url!, data)).resolves.toBe(404);
  });

  it('answers a status and a repeated completion once the multipart upload is gone, planned chunks left', async () => {
    const { uploadId } = await newUpload();
    const data = randomBytes(5 * MiB);
    const [url] = await presign(uploadId, [plan(0, data), plan(1, randomBytes(5 * MiB))]);
    expect(await put(url!, data)).toBe(200);
    const node = await completer.complete({ uploadId, totalChunks: 1, sha256: undefined });
    // Chunk 1 was planned but never sent: asked again, the completion answers the same version.
    expect(await completer.complete({ uploadId, totalChunks: 1, sha256: undefined })).toEqual(node);
    expect((await sessions.status(uploadId)).upload.state).toBe('COMPLETED');

    const aborted = await newUpload();
    const [abortedUrl] = await presign(aborted.uploadId, [plan(0, data)]);
    expect(await put(abortedUrl!, data)).toBe(200);
    await sessions.abort(aborted.uploadId);
    expect((await sessions.status(aborted.uploadId)).upload.state).toBe('ABORTED');
  });

  it('refuses a part above a planned one under 5 MiB, and a small part below others, naming the field', async () => {
    const small = await newUpload();
    await presign(small.uploadId, [plan(0, randomBytes(1000))], 1);
    await expect(presign(small.uploadId, [plan(1, randomBytes(5 * MiB))], 2)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringMatching(/^chunks\[0\]\.chunk_number: 1 is above chunk 0, smaller than 5 MiB/),
    });
    const large = await newUpload();
    await presign(large.uploadId, [plan(3, randomBytes(5 * MiB))]);
    await expect(presign(large.uploadId, [plan(1, randomBytes(1000))], 2)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining('chunks[0].chunk_number: 1 is smaller than 5 MiB below chunk 3'),
    });
  });

  it('refuses plans S3 would refuse, naming the field', async () => {
    const { uploadId } = await newUpload();
    const small = randomBytes(10);
    const cases: [Promise<unknown>, string][] = [
      [presign(uploadId, [plan(0, small)], 2), 'chunks[0].size'],
      [presign(uploadId, [plan(0, small)]), 'chunks[0].size'],
      [presign(uploadId, [{ ...plan(0, small), sha256: 'X' }], 1), 'chunks[0].sha256'],
      [presign(uploadId, [plan(10_000, small)]), 'chunks[0].chunk_number'],
      [presign(uploadId, [plan(2, small)], 2), 'chunks[0].chunk_number'],
      [presign(uploadId, []), 'chunks'],
      [
        presign(uploadId, [plan(0, randomBytes(5 * MiB)), plan(0, randomBytes(5 * MiB))]),
        'chunks[1].chunk_number',
      ],
      [presign(uploadId, [plan(0, small)], 0), 'total_chunks'],
      [
        direct.presign({
          uploadId,
          chunks: [plan(0, small)],
          totalChunks: 1,
          force: false,
          ttlSeconds: 7200,
        }),
        'ttl_seconds',
      ],
    ];
    for (const [refused, field] of cases) {
      await expect(refused).rejects.toMatchObject({
        code: ErrorCode.InvalidArgument,
        message: expect.stringContaining(field),
      });
    }
    await expect(presign(randomUUID(), [plan(0, small)], 1)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });
});
