import { ErrorCode, TesseraError } from '@tessera/errors';
import { ChunkAdmission, type ThrottleReason } from './chunk-admission';
import type { ChunkHeader, ChunkSink } from '../chunks/chunk-writer';

/** A sink whose writes finish when the test says so. */
function gatedSink() {
  const pending: (() => void)[] = [];
  const sink: ChunkSink = {
    write: (header) =>
      new Promise((resolve) =>
        pending.push(() =>
          resolve({ chunkNumber: header.chunkNumber, sha256: header.sha256, duplicate: false }),
        ),
      ),
    writeBatch: (chunks) =>
      new Promise((resolve) =>
        pending.push(() =>
          resolve(
            chunks.map(({ header }) => ({
              status: 'fulfilled',
              value: { chunkNumber: header.chunkNumber, sha256: header.sha256, duplicate: false },
            })),
          ),
        ),
      ),
  };
  return { sink, finishOne: () => pending.shift()!(), started: () => pending.length };
}

const header = (uploadId: string, chunkNumber: number): ChunkHeader => ({
  uploadId,
  chunkNumber,
  size: 1,
  sha256: 'a'.repeat(64),
  force: false,
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ChunkAdmission', () => {
  const throttled: ThrottleReason[] = [];
  const limits = { workers: 2, queueCapacity: 1, perUploadInflight: 3, retryAfterSeconds: 2 };
  beforeEach(() => (throttled.length = 0));

  it('runs at most `workers` writes, queues up to the capacity and refuses the rest at once', async () => {
    const { sink, finishOne, started } = gatedSink();
    const admission = new ChunkAdmission(sink, limits, { throttled: (reason) => throttled.push(reason) });
    const writes = ['a', 'b', 'c'].map((upload) => admission.write(header(upload, 0), []));
    await settle();
    expect(started()).toBe(2);
    expect(admission.state()).toEqual({ workers: 2, busy: 2, queued: 1 });

    const refused = await admission.write(header('d', 0), []).catch((error: TesseraError) => error);
    expect(refused).toMatchObject({ code: ErrorCode.ResourceExhausted, retryAfterSeconds: 2 });
    expect((refused as Error).message).toMatch(
      /at capacity \(2 chunk writes running, 1 queued\); retry after 2 s/,
    );
    expect(throttled).toEqual(['queue-full']);

    finishOne();
    await settle();
    expect(started()).toBe(2); // the queued write took the freed worker
    expect(admission.state()).toEqual({ workers: 2, busy: 2, queued: 0 });
    finishOne();
    finishOne();
    await Promise.all(writes);
    expect(admission.state()).toEqual({ workers: 2, busy: 0, queued: 0 });
  });

  it('runs a whole small file as one of the writes: it waits in the same queue and is refused when it is full', async () => {
    const { sink, finishOne } = gatedSink();
    const admission = new ChunkAdmission(sink, limits, { throttled: (reason) => throttled.push(reason) });
    const chunks = ['a', 'b'].map((upload) => admission.write(header(upload, 0), []));
    await settle();
    let ran = false;
    const file = admission.run(async () => (ran = true));
    await settle();
    expect(ran).toBe(false);
    expect(admission.state()).toEqual({ workers: 2, busy: 2, queued: 1 });
    await expect(admission.run(async () => 'second')).rejects.toMatchObject({
      code: ErrorCode.ResourceExhausted,
    });
    expect(throttled).toEqual(['queue-full']);
    finishOne();
    await file;
    expect(ran).toBe(true);
    finishOne();
    await Promise.all(chunks);
    expect(admission.state()).toEqual({ workers: 2, busy: 0, queued: 0 });
  });

  it('bounds the chunks of one upload in flight across its streams', async () => {
    const { sink, finishOne, started } = gatedSink();
    const admission = new ChunkAdmission(
      sink,
      { ...limits, workers: 10 },
      { throttled: (r) => throttled.push(r) },
    );
    const writes = [0, 1, 2].map((n) => admission.write(header('u', n), []));
    await expect(admission.write(header('u', 3), [])).rejects.toThrow(
      /upload u already has 3 chunks in flight/,
    );
    expect(throttled).toEqual(['upload-limit']);
    writes.push(admission.write(header('other', 0), [])); // another upload is not held back
    await settle();
    expect(started()).toBe(4);
    finishOne();
    await writes[0];
    writes.push(admission.write(header('u', 3), [])); // a slot of the upload is free again
    await settle();
    expect(started()).toBe(4);
    [1, 2, 3, 4].forEach(() => finishOne());
    await Promise.all(writes);
  });

  it('runs a batch of small chunks (group commit) as one write: one worker, one of its upload’s slots', async () => {
    const { sink, finishOne, started } = gatedSink();
    const admission = new ChunkAdmission(sink, { ...limits, workers: 10, perUploadInflight: 2 });
    const batch = [0, 1, 2, 3, 4].map((n) => ({ header: header('u', n), data: new Uint8Array(1) }));
    const batched = admission.writeBatch(batch);
    const alone = admission.write(header('u', 5), []);
    await expect(admission.write(header('u', 6), [])).rejects.toThrow(
      /upload u already has 2 chunks in flight/,
    );
    await settle();
    expect(started()).toBe(2);
    expect(admission.state()).toMatchObject({ busy: 2 });
    finishOne();
    finishOne();
    expect((await batched).map((settled) => settled.status)).toEqual(Array(5).fill('fulfilled'));
    await alone;
  });

  it('frees the worker and the upload slot when a write fails', async () => {
    const failing: ChunkSink = {
      write: () => Promise.reject(new Error('S3 down')),
      writeBatch: () => Promise.reject(new Error('S3 down')),
    };
    const admission = new ChunkAdmission(failing, { ...limits, perUploadInflight: 1 });
    await expect(admission.write(header('u', 0), [])).rejects.toThrow('S3 down');
    await expect(admission.write(header('u', 1), [])).rejects.toThrow('S3 down');
    expect(admission.state()).toEqual({ workers: 2, busy: 0, queued: 0 });
  });

  it('grows: waiting writes start at once; shrinks: running writes finish and freed workers are not handed on', async () => {
    const { sink, finishOne, started } = gatedSink();
    const admission = new ChunkAdmission(sink, { ...limits, workers: 1, queueCapacity: 10 });
    const writes = [0, 1, 2, 3].map((n) => admission.write(header(`u${n}`, 0), []));
    await settle();
    expect(admission.state()).toEqual({ workers: 1, busy: 1, queued: 3 });
    admission.resize(3);
    await settle();
    expect(started()).toBe(3);
    expect(admission.state()).toEqual({ workers: 3, busy: 3, queued: 1 });

    admission.resize(1);
    finishOne();
    await settle();
    expect(admission.state()).toEqual({ workers: 1, busy: 2, queued: 1 }); // not handed on
    finishOne();
    await settle();
    expect(admission.state()).toEqual({ workers: 1, busy: 1, queued: 1 });
    finishOne();
    await settle();
    expect(admission.state()).toEqual({ workers: 1, busy: 1, queued: 0 }); // handed on at the new size
    finishOne();
    await Promise.all(writes);
  });

  it('measures the mean of writes running and waiting, refusals, and failures of the store only', async () => {
    let now = 0;
    const { sink, finishOne } = gatedSink();
    const admission = new ChunkAdmission(
      sink,
      { ...limits, workers: 1, queueCapacity: 1 },
      undefined,
      () => now,
    );
    const first = admission.write(header('a', 0), []);
    const second = admission.write(header('b', 0), []);
    await settle();
    await expect(admission.write(header('c', 0), [])).rejects.toThrow(/at capacity/);
    now = 1_000;
    finishOne();
    await settle();
    now = 2_000;
    finishOne();
    await Promise.all([first, second]);
    expect(admission.usage()).toMatchObject({
      elapsedMs: 2_000,
      workers: 1,
      meanBusy: 1,
      meanQueued: 0.5,
      refused: 1,
      finished: 2,
      failed: 0,
      meanWriteMs: 1_000, // each held its worker for 1 s of the injected clock
    });

    const failing = new ChunkAdmission(
      {
        writeBatch: () => Promise.reject(new Error('not batched here')),
        write: (chunk) =>
          Promise.reject(
            chunk.uploadId === 'bad'
              ? new TesseraError(ErrorCode.InvalidArgument, 'checksum mismatch')
              : new TesseraError(ErrorCode.Unavailable, 'S3 down'),
          ),
      },
      limits,
    );
    await failing.write(header('bad', 0), []).catch(() => undefined);
    await failing.write(header('u', 0), []).catch(() => undefined);
    expect(failing.usage()).toMatchObject({ finished: 2, failed: 1 });
  });
});
