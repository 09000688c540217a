import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTidbPool, migrate } from '@tessera/sql';
import { stackEndpoints, startCpuHog } from '@tessera/testing';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { initiating, testUpload } from '../../testing/uploads.fixture';
import { MIGRATIONS } from './migrations';
import { TidbInstanceHeartbeat } from './tidb-instance-heartbeat';
import { TidbUploadStore } from './tidb-upload-store';

const LOADED_FOR_MS = 30_000;
const BEAT_MS = 500;
/** Tighter than the default (10 s, 5 beats) in proportion: 5 beats. */
const STALE_AFTER_MS = 2_500;

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // as hashing a chunk does: the event loop runs nothing else meanwhile
  }
}

describe('TidbInstanceHeartbeat on a busy machine', () => {
  const database = `heartbeat_test_${Date.now()}`;
  const { tidb } = stackEndpoints();
  let work: Pool;
  let beats: Pool;
  let observer: Pool;

  beforeAll(async () => {
    const admin = createTidbPool({ ...tidb, password: '', database, connectionLimit: 1 }, false);
    await migrate(admin, { database, migrations: MIGRATIONS, lockTimeoutSeconds: 30 });
    await admin.end();
    const options = { ...tidb, password: '', database };
    work = createTidbPool({ ...options, connectionLimit: 2, multipleStatements: true });
    beats = createTidbPool({ ...options, connectionLimit: 1 });
    // The other instance's store claims in multi-statement round trips, as every upload store does.
    observer = createTidbPool({ ...options, connectionLimit: 2, multipleStatements: true });
  });

  afterAll(async () => {
    await Promise.all([work.end(), beats.end(), observer.end()]);
  });

  it(
    "never hands a live instance's claim to another while both cores are saturated and its pool is busy",
    async () => {
      const liveId = randomUUID();
      const heartbeat = new TidbInstanceHeartbeat(beats, {
        instanceId: liveId,
        intervalMs: BEAT_MS,
        staleAfterMs: STALE_AFTER_MS,
        forgetAfterMs: 3_600_000,
        onError: (error) => {
          throw error;
        },
      });
      await heartbeat.start();
      const live = new TidbUploadStore(work, { instanceId: liveId, staleAfterMs: STALE_AFTER_MS });
      const other = new TidbUploadStore(observer, { instanceId: randomUUID(), staleAfterMs: STALE_AFTER_MS });
      const upload = testUpload();
      const { uploadId } = upload;
      await live.createUpload(...initiating(upload));
      const claim = { chunkNumber: 0, size: 10, sha256: 'a'.repeat(64), storage: 'staged' as const };
      expect((await live.claimChunk(uploadId, claim, { force: false, staleAfterMs: 600_000 })).outcome).toBe(
        'claimed',
      );

      const hog = startCpuHog({ workers: 2, loadPercent: 100, maxSeconds: LOADED_FOR_MS / 1000 + 30 });
      const until = performance.now() + LOADED_FOR_MS;
      const takeovers: string[] = [];
      let maxAgeMs = 0;
      try {
        await Promise.all([
          // The live instance's own pool, taken by slow statements, and its event loop blocked often.
          ...[1, 2, 3, 4].map(async () => {
            while (performance.now() < until) await work.query('SELECT SLEEP(0.3)');
          }),
          (async () => {
            while (performance.now() < until) {
              blockFor(80);
              await sleep(20);
            }
          })(),
          // Another instance asks for the claimed chunk, and reads the heartbeat's age, all along.
          (async () => {
            while (performance.now() < until) {
              const result = await other.claimChunk(uploadId, claim, { force: false, staleAfterMs: 600_000 });
              if (result.outcome !== 'in-progress') takeovers.push(result.outcome);
              const [rows] = await observer.query<RowDataPacket[]>(
                'SELECT TIMESTAMPDIFF(MICROSECOND, heartbeat_at, NOW(6)) AS age_us FROM repository_instances WHERE instance_id = ?',
                [liveId],
              );
              maxAgeMs = Math.max(maxAgeMs, Number(rows[0]!['age_us']) / 1000);
              await sleep(100);
            }
          })(),
        ]);
      } finally {
        await hog.stop();
        await heartbeat.stop();
      }
      console.log(
        `heartbeat age at most ${Math.round(maxAgeMs)} ms (beat ${BEAT_MS} ms, stale after ${STALE_AFTER_MS} ms)`,
      );
      expect(takeovers).toEqual([]);
      expect(maxAgeMs).toBeLessThan(STALE_AFTER_MS);
    },
    LOADED_FOR_MS + 60_000,
  );
});

describe('TidbInstanceHeartbeat and instances of an earlier release', () => {
  const database = `heartbeat_peers_${Date.now()}`;
  const { tidb } = stackEndpoints();
  let beats: Pool;

  beforeAll(async () => {
    const admin = createTidbPool({ ...tidb, password: '', database, connectionLimit: 1 }, false);
    await migrate(admin, { database, migrations: MIGRATIONS, lockTimeoutSeconds: 30 });
    await admin.end();
    beats = createTidbPool({ ...tidb, password: '', database, connectionLimit: 1 });
  });

  afterAll(() => beats.end());

  it('tells after each beat whether every live instance reads chunks staged together', async () => {
    const seen: boolean[] = [];
    const heartbeat = new TidbInstanceHeartbeat(beats, {
      instanceId: randomUUID(),
      intervalMs: 100,
      staleAfterMs: 1_000,
      forgetAfterMs: 3_600_000,
      onError: (error) => {
        throw error;
      },
      onPeers: (everyone) => seen.push(everyone),
    });
    await heartbeat.start();
    expect(seen).toEqual([true]);
    // An instance of an earlier release beats as it always did: its row says nothing of batches.
    const earlier = randomUUID();
    await beats.execute('INSERT INTO repository_instances (instance_id, heartbeat_at) VALUES (?, NOW(6))', [
      earlier,
    ]);
    await sleep(300);
    expect(seen.at(-1)).toBe(false);
    // It stopped (rolled out): once its heartbeat is stale, batches are safe again.
    await beats.execute(
      'UPDATE repository_instances SET heartbeat_at = NOW(6) - INTERVAL 5 SECOND WHERE instance_id = ?',
      [earlier],
    );
    await sleep(300);
    await heartbeat.stop();
    expect(seen.at(-1)).toBe(true);
  });
});
