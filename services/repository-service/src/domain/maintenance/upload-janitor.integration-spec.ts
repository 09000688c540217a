import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode } from '@tessera/errors';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { ChunkWriter } from '../chunks/chunk-writer';
import { stagingKeyOf } from '../chunks/staged-objects';
import { UploadJanitor, type JanitorListener } from './upload-janitor';
import { UploadSessions } from '../uploads/upload-sessions';

const MiB = 1024 * 1024;
const STAGING = '.staging/';
const IDLE_TTL_MS = 1500;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UploadJanitor with TiDB and MinIO', () => {
  let stack: RealStack;
  let sessions: UploadSessions;
  let writer: ChunkWriter;
  const events: { aborted: string[]; failed: unknown[] } = { aborted: [], failed: [] };
  const listener: JanitorListener = {
    aborted: (uploadId) => events.aborted.push(uploadId),
    failed: (_uploadId, error) => events.failed.push(error),
  };
  const janitor = (intervalMs = 60_000, batchSize = 100) =>
    new UploadJanitor(stack.uploads, sessions, { idleTtlMs: IDLE_TTL_MS, intervalMs, batchSize }, listener);

  beforeAll(async () => {
    stack = await openRealStack('janitor');
    sessions = new UploadSessions(stack.uploads, stack.nodes, stack.objects, {
      objectKeyTemplate: '{drive_id}/{node_id}',
      stagingPrefix: STAGING,
    });
    writer = stack.chunkWriter(STAGING);
  });

  afterAll(() => stack.close());

  const initiate = () =>
    sessions.initiate({
      name: `idle-${randomUUID()}.bin`,
      driveId: 'drive-janitor',
      mimeType: undefined,
      userMetadata: {},
      idempotencyKey: undefined,
      expectedVersion: undefined,
    });

  async function write(uploadId: string, chunkNumber: number, data: Buffer): Promise<void> {
    await writer.write({ uploadId, chunkNumber, size: data.length, sha256: sha256(data), force: false }, [
      data,
    ]);
  }

  it('aborts uploads idle past the TTL and removes what they stored, leaving active ones alone', async () => {
    const idleEmpty = await initiate();
    const idleWithChunks = await initiate();
    await write(idleWithChunks.uploadId, 0, randomBytes(5 * MiB));
    await write(idleWithChunks.uploadId, 1, randomBytes(100));
    const active = await initiate();
    await write(active.uploadId, 0, randomBytes(100));

    await sleep(IDLE_TTL_MS + 300);
    // A chunk claimed just now keeps its upload alive even though the upload row itself is old.
    await write(active.uploadId, 1, randomBytes(100));
    const fresh = await initiate();

    const result = await janitor().sweep();

    expect(result.aborted).toEqual(expect.arrayContaining([idleEmpty.uploadId, idleWithChunks.uploadId]));
    expect(result.aborted).not.toContain(active.uploadId);
    expect(result.aborted).not.toContain(fresh.uploadId);
    expect(events.aborted).toEqual(expect.arrayContaining(result.aborted));
    for (const upload of [idleEmpty, idleWithChunks]) {
      expect((await sessions.status(upload.uploadId)).upload.state).toBe('ABORTED');
    }
    expect((await sessions.status(active.uploadId)).upload.state).toBe('IN_PROGRESS');
    expect((await sessions.status(fresh.uploadId)).upload.state).toBe('INITIATED');
    await expect(
      stack.objects.headObject(stagingKeyOf(STAGING, idleWithChunks.uploadId, 1)),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const { multipartUploadId } = (await stack.uploads.findUpload(idleWithChunks.uploadId))!;
    await expect(
      stack.objects.uploadPart(
        { key: idleWithChunks.objectKey, uploadId: multipartUploadId! },
        3,
        Buffer.from('x'),
        1,
      ),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(write(idleWithChunks.uploadId, 2, randomBytes(10))).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
    });
  });

  it('works through more idle uploads than one batch, and two janitors at once abort each upload once', async () => {
    const idle = await Promise.all(Array.from({ length: 7 }, () => initiate()));
    await sleep(IDLE_TTL_MS + 300);

    const [first, second] = await Promise.all([janitor(60_000, 3).sweep(), janitor(60_000, 3).sweep()]);

    const ids = idle.map((upload) => upload.uploadId);
    const abortedByEither = [...first.aborted, ...second.aborted].filter((id) => ids.includes(id));
    expect(new Set(abortedByEither)).toEqual(new Set(ids));
    expect([...first.failed, ...second.failed]).toEqual([]);
    for (const id of ids) expect((await sessions.status(id)).upload.state).toBe('ABORTED');
  });

  it('sweeps on its own timer, and not after it is stopped', async () => {
    const idle = await initiate();
    const running = janitor(200);
    running.start();
    try {
      const deadline = Date.now() + 10_000;
      while ((await sessions.status(idle.uploadId)).upload.state !== 'ABORTED' && Date.now() < deadline) {
        await sleep(100);
      }
    } finally {
      await running.stop();
    }
    expect((await sessions.status(idle.uploadId)).upload.state).toBe('ABORTED');
    const later = await initiate();
    await sleep(IDLE_TTL_MS + 500);
    expect((await sessions.status(later.uploadId)).upload.state).toBe('INITIATED');
  });
});
