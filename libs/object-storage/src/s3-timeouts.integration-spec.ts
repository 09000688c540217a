import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import { ErrorCode } from '@tessera/errors';
import { createProxy, minioClientOptions, stackEndpoints, type Proxy } from '@tessera/testing';
import { createS3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';

const IDLE_MS = 1000;
const TIMEOUTS = { connectMs: 1000, idleMs: IDLE_MS, requestMs: 0 };
const MiB = 1024 * 1024;
/** Room for the SDK's backoff and a busy machine: any bound tells a hung request from a cut one. */
const SLACK_MS = 10_000;

/** Runs `before(attempt)` ahead of each attempt the SDK makes (1, then each retry). */
function beforeEachAttempt(client: S3Client, before: (attempt: number) => Promise<void>): void {
  let attempt = 0;
  // finalizeRequest at normal priority runs inside the SDK's retry middleware (high priority).
  client.middlewareStack.add(
    (next) => async (args) => {
      await before(++attempt);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'testBeforeEachAttempt' },
  );
}

async function timed<T>(work: Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const startedAt = performance.now();
  const [result] = await Promise.allSettled([work]);
  return { ms: performance.now() - startedAt, result: result! };
}

describe('S3 timeouts (MinIO behind Toxiproxy holding every byte: a hung connection)', () => {
  let proxy: Proxy;
  let direct: S3ObjectStore;
  const clients: S3Client[] = [];

  /** A store whose requests pass through the proxy, with 1 s timeouts and 3 attempts. */
  function proxiedStore(): { client: S3Client; store: S3ObjectStore } {
    const client = createS3Client({
      ...minioClientOptions(3, process.env, TIMEOUTS),
      endpoint: `http://127.0.0.1:${proxy.port}`,
    });
    clients.push(client);
    return { client, store: new S3ObjectStore(client, direct.bucket) };
  }

  beforeAll(async () => {
    const { toxiproxy, minio } = stackEndpoints();
    proxy = await createProxy(toxiproxy.url, `s3_timeouts_${Date.now()}`, new URL(minio.endpoint).host);
    const client = createS3Client(minioClientOptions(2));
    clients.push(client);
    direct = new S3ObjectStore(client, `s3-timeouts-${Date.now()}`);
    await direct.ensureBucket();
  });

  afterEach(() => proxy.clearToxics());

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await proxy?.remove();
  });

  it('cuts a request whose connection hangs after the idle timeout and retries it, which succeeds', async () => {
    const { client, store } = proxiedStore();
    const attempts: number[] = [];
    beforeEachAttempt(client, async (attempt) => {
      attempts.push(attempt);
      // The first attempt's connection hangs (Toxiproxy `timeout` toxic, timeout 0: bytes held,
      // never closed); the retry finds S3 reachable again.
      if (attempt === 1) await proxy.stall();
      else await proxy.clearToxics();
    });
    const body = randomBytes(64 * 1024);

    const { ms, result } = await timed(store.putObject('retried/object', body, body.length));

    expect(result).toMatchObject({ status: 'fulfilled' });
    expect(attempts).toEqual([1, 2]);
    expect(ms).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(ms).toBeLessThan(IDLE_MS + SLACK_MS);
    const stored = await buffer(await direct.readRange('retried/object', 0, body.length));
    expect(stored.equals(body)).toBe(true);
  }, 40_000);

  it('fails a request whose every attempt hangs UNAVAILABLE, naming S3, after the attempts: never stuck', async () => {
    const { store } = proxiedStore();
    await proxy.stall();

    const { ms, result } = await timed(store.headObject('never/answered'));

    expect(result).toMatchObject({
      status: 'rejected',
      reason: {
        code: ErrorCode.Unavailable,
        message: 'object storage unavailable: HeadObject never/answered: S3 timed out (3 attempts)',
        retryAfterSeconds: 1,
      },
    });
    // Three idle timeouts plus the SDK's backoff between attempts (well under a second each here).
    expect(ms).toBeGreaterThanOrEqual(3 * IDLE_MS - 50);
    expect(ms).toBeLessThan(3 * IDLE_MS + SLACK_MS);
  }, 40_000);

  it('releases a part upload streaming a chunk into a hung connection; sent again, the part is stored', async () => {
    const { store } = proxiedStore();
    const target = await store.createMultipartUpload('parts/object');
    const data = randomBytes(5 * MiB);
    await proxy.stall();

    const { ms, result } = await timed(store.uploadPart(target, 1, Readable.from([data]), data.length));

    // A streamed body cannot be sent twice, so the SDK does not retry it: the upload fails once
    // the connection was silent for the idle timeout, and its caller sends the chunk again.
    expect(result).toMatchObject({
      status: 'rejected',
      reason: {
        code: ErrorCode.Unavailable,
        message: expect.stringMatching(/UploadPart parts\/object: S3 timed out/),
      },
    });
    expect(ms).toBeLessThan(IDLE_MS + SLACK_MS);

    await proxy.clearToxics();
    const part = await store.uploadPart(target, 1, Readable.from([data]), data.length);
    await store.completeMultipartUpload(target, [part]);
    const stored = await buffer(await direct.readRange('parts/object', 0, data.length));
    expect(stored.equals(data)).toBe(true);
  }, 40_000);

  it('does not cut a slow upload whose bytes keep moving, though it lasts longer than the idle timeout', async () => {
    const { store } = proxiedStore();
    const pieces = Array.from({ length: 20 }, () => randomBytes(64 * 1024));
    // A sender that trickles: one piece every 150 ms, 3 s in all, three times the idle timeout.
    const trickle = Readable.from(
      (async function* () {
        for (const piece of pieces) {
          await delay(150);
          yield piece;
        }
      })(),
    );
    const size = pieces.length * pieces[0]!.length;

    const { ms, result } = await timed(store.putObject('slow/object', trickle, size));

    expect(result).toMatchObject({ status: 'fulfilled' });
    expect(ms).toBeGreaterThan(2 * IDLE_MS);
    const stored = await buffer(await direct.readRange('slow/object', 0, size));
    expect(stored.equals(Buffer.concat(pieces))).toBe(true);
  }, 40_000);
});
