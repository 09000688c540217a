import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTidbPool, migrate } from '@tessera/sql';
import { stackEndpoints } from '@tessera/testing';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { ChunkClaim, ClaimOptions, NewUpload } from '../../domain/ports/upload-store.port';
import { MIGRATIONS } from './migrations';
import { TidbUploadStore } from './tidb-upload-store';
import { initiating, chunkStored } from '../../testing/uploads.fixture';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const LIVE: ClaimOptions = { force: false, staleAfterMs: 60_000 };

function newUpload(overrides: Partial<NewUpload> = {}): NewUpload {
  const nodeId = randomUUID();
  return {
    uploadId: randomUUID(),
    nodeId,
    driveId: 'drive-1',
    name: 'a.iso',
    mimeType: 'application/octet-stream',
    userMetadata: { team: 'platform' },
    idempotencyKey: undefined,
    expectedVersion: undefined,
    objectKey: `drive-1/${nodeId}`,
    ...overrides,
  };
}

const chunk = (chunkNumber: number, sha256 = SHA_A, size = 10): ChunkClaim => ({
  chunkNumber,
  size,
  sha256,
  storage: 'staged',
});

describe('TidbUploadStore against TiDB', () => {
  const database = `repository_test_${Date.now()}`;
  const { tidb } = stackEndpoints();
  let pool: Pool;
  let store: TidbUploadStore;

  beforeAll(async () => {
    const admin = createTidbPool({ ...tidb, password: '', database, connectionLimit: 1 }, false);
    await migrate(admin, { database, migrations: MIGRATIONS, lockTimeoutSeconds: 30 });
    await admin.end();
    pool = createTidbPool({ ...tidb, password: '', database, connectionLimit: 12, multipleStatements: true });
    store = new TidbUploadStore(pool);
  });

  afterAll(() => pool.end());

  it('creates an upload and finds it again', async () => {
    const upload = newUpload();
    const { upload: created, created: isNew } = await store.createUpload(...initiating(upload));
    expect(isNew).toBe(true);
    expect(created).toMatchObject({ ...upload, state: 'INITIATED', multipartUploadId: undefined });
    expect(await store.findUpload(upload.uploadId)).toEqual(created);
    expect(await store.findUpload(randomUUID())).toBeUndefined();
  });

  it('returns the first upload for a repeated idempotency key in the same drive only', async () => {
    const first = newUpload({ idempotencyKey: 'client-key-1' });
    await store.createUpload(...initiating(first));
    const retry = await store.createUpload(...initiating(newUpload({ idempotencyKey: 'client-key-1' })));
    expect(retry).toMatchObject({ created: false, upload: { uploadId: first.uploadId } });
    const otherDrive = await store.createUpload(
      ...initiating(newUpload({ idempotencyKey: 'client-key-1', driveId: 'drive-2' })),
    );
    expect(otherDrive.created).toBe(true);
  });

  async function created(overrides: Partial<NewUpload> = {}): Promise<string> {
    const upload = newUpload(overrides);
    await store.createUpload(...initiating(upload));
    return upload.uploadId;
  }

  it('claims, stores, recognises a duplicate, refuses different bytes, and replaces them with force', async () => {
    const uploadId = await created();
    const claimed = await store.claimChunk(uploadId, chunk(0), LIVE);
    if (claimed.outcome !== 'claimed') throw new Error(claimed.outcome);
    expect(
      await store.markChunkStored(uploadId, 0, claimed.token, '"etag-a"', chunkStored(uploadId, 0)),
    ).toBe(true);

    expect(await store.claimChunk(uploadId, chunk(0), LIVE)).toEqual({
      outcome: 'duplicate',
      chunk: {
        ...chunk(0),
        etag: '"etag-a"',
        partNumber: undefined,
        retryCount: 0,
        writtenBy: 'service',
        staged: { object: '0', offset: 0 },
      },
    });
    expect(await store.claimChunk(uploadId, chunk(0, SHA_B), LIVE)).toEqual({
      outcome: 'conflict',
      existingSha256: SHA_A,
    });

    const forced = await store.claimChunk(uploadId, chunk(0, SHA_B, 20), { ...LIVE, force: true });
    if (forced.outcome !== 'claimed') throw new Error(forced.outcome);
    await store.markChunkStored(uploadId, 0, forced.token, '"etag-b"', chunkStored(uploadId, 0));
    expect(await store.listStoredChunks(uploadId)).toEqual([
      {
        ...chunk(0, SHA_B, 20),
        etag: '"etag-b"',
        partNumber: undefined,
        retryCount: 1,
        writtenBy: 'service',
        staged: { object: '0', offset: 0 },
      },
    ]);
  });

  it('lets exactly one of many concurrent writers of a chunk write it', async () => {
    const uploadId = await created();
    const same = await Promise.all(
      Array.from({ length: 10 }, () => store.claimChunk(uploadId, chunk(7), LIVE)),
    );
    expect(same.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
    expect(same.filter((r) => r.outcome === 'in-progress')).toHaveLength(9);

    const different = await Promise.all(
      [SHA_A, SHA_B].map((sha) => store.claimChunk(uploadId, chunk(8, sha), LIVE)),
    );
    expect(different.map((r) => r.outcome).sort()).toEqual(['claimed', 'conflict']);
  });

  it('takes over a stale claim, after which the old writer cannot record its chunk', async () => {
    const uploadId = await created();
    const first = await store.claimChunk(uploadId, chunk(3), LIVE);
    const second = await store.claimChunk(uploadId, chunk(3), { force: false, staleAfterMs: 0 });
    if (first.outcome !== 'claimed' || second.outcome !== 'claimed') throw new Error('expected two claims');
    const lost = chunkStored(uploadId, 3);
    expect(await store.markChunkStored(uploadId, 3, first.token, '"old"', lost)).toBe(false);
    const [events] = await pool.query<RowDataPacket[]>('SELECT 1 FROM outbox_events WHERE event_id = ?', [
      lost.eventId,
    ]);
    expect(events).toHaveLength(0); // the lost claim recorded nothing, so it announces nothing
    expect(await store.markChunkStored(uploadId, 3, second.token, '"new"', chunkStored(uploadId, 3))).toBe(
      true,
    );
  });

  it('forgets a released claim, so the chunk is missing and can be claimed again', async () => {
    const uploadId = await created();
    const claimed = await store.claimChunk(uploadId, chunk(2), LIVE);
    if (claimed.outcome !== 'claimed') throw new Error(claimed.outcome);
    await store.releaseClaim(uploadId, 2, claimed.token);
    expect(await store.listStoredChunks(uploadId)).toEqual([]);
    expect((await store.claimChunk(uploadId, chunk(2), LIVE)).outcome).toBe('claimed');
  });

  it('records the S3 part number of a direct part', async () => {
    const uploadId = await created();
    const claimed = await store.claimChunk(
      uploadId,
      { ...chunk(4, SHA_A, 8 * 1024 * 1024), storage: 'direct-part' },
      LIVE,
    );
    if (claimed.outcome !== 'claimed') throw new Error(claimed.outcome);
    await store.markChunkStored(uploadId, 4, claimed.token, '"p5"', chunkStored(uploadId, 4));
    expect(await store.listStoredChunks(uploadId)).toEqual([
      expect.objectContaining({ chunkNumber: 4, storage: 'direct-part', partNumber: 5, etag: '"p5"' }),
    ]);
  });

  it('refuses claims for an unknown upload or one that no longer accepts chunks', async () => {
    expect(await store.claimChunk(randomUUID(), chunk(0), LIVE)).toEqual({ outcome: 'unknown-upload' });
    const uploadId = await created();
    expect(await store.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined })).toEqual({
      outcome: 'started',
    });
    expect(await store.claimChunk(uploadId, chunk(0), LIVE)).toEqual({
      outcome: 'not-accepting',
      state: 'COMPLETING',
    });
  });

  it('refuses a claim that waited for the upload while completion began, and writes no row for it', async () => {
    const uploadId = await created();
    const holder = await pool.getConnection();
    try {
      await holder.query('BEGIN PESSIMISTIC');
      await holder.query('SELECT * FROM uploads WHERE upload_id = ? FOR UPDATE', [uploadId]);
      const waiting = store.claimChunk(uploadId, chunk(0), LIVE);
      await sleep(300); // the claim now waits for the upload's lock
      await holder.query(`UPDATE uploads SET state = 'COMPLETING' WHERE upload_id = ?`, [uploadId]);
      await holder.query('COMMIT');
      expect(await waiting).toEqual({ outcome: 'not-accepting', state: 'COMPLETING' });
    } finally {
      holder.release();
    }
    const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM upload_chunks WHERE upload_id = ?', [
      uploadId,
    ]);
    expect(rows).toEqual([]);
  });

  it('does not begin completion while a chunk is being written, and only once', async () => {
    const uploadId = await created();
    const claimed = await store.claimChunk(uploadId, chunk(1), LIVE);
    if (claimed.outcome !== 'claimed') throw new Error(claimed.outcome);
    expect(await store.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined })).toEqual({
      outcome: 'chunks-in-flight',
      chunkNumbers: [1],
    });
    await store.markChunkStored(uploadId, 1, claimed.token, '"e"', chunkStored(uploadId, 1));
    const both = await Promise.all([
      store.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined }),
      store.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined }),
    ]);
    expect(both).toEqual(
      expect.arrayContaining([{ outcome: 'started' }, { outcome: 'not-accepting', state: 'COMPLETING' }]),
    );
    expect(await store.beginCompletion(randomUUID(), { totalChunks: undefined, sha256: undefined })).toEqual({
      outcome: 'unknown-upload',
    });
  });

  it('guards state transitions and keeps the first multipart upload id recorded', async () => {
    const uploadId = await created();
    expect(await store.transition(uploadId, ['INITIATED'], 'IN_PROGRESS')).toBe(true);
    expect(await store.transition(uploadId, ['INITIATED'], 'IN_PROGRESS')).toBe(false);
    expect(await store.recordMultipartUploadId(uploadId, 'mpu-1')).toBe('mpu-1');
    expect(await store.recordMultipartUploadId(uploadId, 'mpu-2')).toBe('mpu-1');
    expect((await store.findUpload(uploadId))?.multipartUploadId).toBe('mpu-1');
  });

  it('aborts with idleForMs only an upload still idle then: one that resumed meanwhile is left alone', async () => {
    const uploadId = await created();
    await sleep(300);
    expect((await store.findIdleUploads(200, 1000)).map((upload) => upload.uploadId)).toContain(uploadId);
    expect((await store.claimChunk(uploadId, chunk(0), LIVE)).outcome).toBe('claimed'); // resumed
    expect(await store.transition(uploadId, ['INITIATED'], 'ABORTED', undefined, { idleForMs: 200 })).toBe(
      false,
    );
    await sleep(300);
    expect(await store.transition(uploadId, ['INITIATED'], 'ABORTED', undefined, { idleForMs: 200 })).toBe(
      true,
    );
  });

  it('lists stored chunks in chunk order, with large chunk numbers intact', async () => {
    const uploadId = await created();
    for (const number of [2 ** 40, 5, 0]) {
      const claimed = await store.claimChunk(uploadId, chunk(number), LIVE);
      if (claimed.outcome !== 'claimed') throw new Error(claimed.outcome);
      await store.markChunkStored(
        uploadId,
        number,
        claimed.token,
        `"e${number}"`,
        chunkStored(uploadId, number),
      );
    }
    expect((await store.listStoredChunks(uploadId)).map((c) => c.chunkNumber)).toEqual([0, 5, 2 ** 40]);
  });

  describe('when the instance holding a claim or a completion is gone', () => {
    const staleAfterMs = 500;
    let deadId: string;
    let dead: TidbUploadStore;
    let alive: TidbUploadStore;

    /** An instance that beat once, `ageMs` ago (by the database's clock). */
    async function instanceBeatAgo(ageMs: number): Promise<string> {
      const instanceId = randomUUID();
      await pool.execute(
        'INSERT INTO repository_instances (instance_id, heartbeat_at) VALUES (?, NOW(6) - INTERVAL ? MICROSECOND)',
        [instanceId, ageMs * 1000],
      );
      return instanceId;
    }

    beforeEach(async () => {
      deadId = await instanceBeatAgo(0);
      dead = new TidbUploadStore(pool, { instanceId: deadId, staleAfterMs });
      alive = new TidbUploadStore(pool, { instanceId: await instanceBeatAgo(0), staleAfterMs });
    });

    const stopBeating = () =>
      pool.execute(
        'UPDATE repository_instances SET heartbeat_at = NOW(6) - INTERVAL 1 SECOND WHERE instance_id = ?',
        [deadId],
      );

    it('takes over its chunk claims at once, and drops them when completion begins', async () => {
      const uploadId = await created();
      expect((await dead.claimChunk(uploadId, chunk(0), LIVE)).outcome).toBe('claimed');
      expect((await dead.claimChunk(uploadId, chunk(1), LIVE)).outcome).toBe('claimed');
      expect(await alive.claimChunk(uploadId, chunk(0), LIVE)).toEqual({
        outcome: 'in-progress',
        sha256: SHA_A,
      });
      await stopBeating();
      expect((await alive.claimChunk(uploadId, chunk(0), LIVE)).outcome).toBe('claimed');
      // Chunk 0 is alive's now: still in flight. Chunk 1 died with its writer: missing.
      expect(await alive.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined })).toEqual({
        outcome: 'chunks-in-flight',
        chunkNumbers: [0],
      });
    });

    it('never takes its own claims for gone, however late its own beat (a busy instance is alive)', async () => {
      const uploadId = await created();
      expect((await dead.claimChunk(uploadId, chunk(0), LIVE)).outcome).toBe('claimed');
      await stopBeating(); // the row says gone, but this instance is the one asking
      expect(await dead.claimChunk(uploadId, chunk(0), LIVE)).toEqual({
        outcome: 'in-progress',
        sha256: SHA_A,
      });
      expect(await dead.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined })).toEqual({
        outcome: 'chunks-in-flight',
        chunkNumbers: [0],
      });
    });

    it('finds its completions and lets one instance adopt each, with the request kept', async () => {
      const uploadId = await created();
      const request = { totalChunks: 3, sha256: SHA_B, verify: true };
      expect(await dead.beginCompletion(uploadId, request)).toEqual({ outcome: 'started' });
      expect(await alive.findOrphanedCompletions(100)).not.toContain(uploadId);
      expect(await alive.adoptCompletion(uploadId)).toBeUndefined();
      await stopBeating();
      expect(await alive.findOrphanedCompletions(100)).toContain(uploadId);
      const other = new TidbUploadStore(pool, { instanceId: await instanceBeatAgo(0), staleAfterMs });
      const [first, second] = await Promise.all([
        alive.adoptCompletion(uploadId),
        other.adoptCompletion(uploadId),
      ]);
      const adopted = [first, second].filter((upload) => upload !== undefined);
      expect(adopted).toEqual([
        expect.objectContaining({ uploadId, state: 'COMPLETING', completion: request }),
      ]);
      // Now held by a live instance: only that one (after a transient failure) takes it up again.
      const bystander = new TidbUploadStore(pool, { instanceId: await instanceBeatAgo(0), staleAfterMs });
      expect(await bystander.findOrphanedCompletions(100)).not.toContain(uploadId);
      const holder = first ? alive : other;
      expect(await holder.findOrphanedCompletions(100)).toContain(uploadId);
      expect(await holder.adoptCompletion(uploadId)).toMatchObject({ uploadId, state: 'COMPLETING' });
    });
  });
});
