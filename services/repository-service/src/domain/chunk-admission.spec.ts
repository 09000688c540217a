import { ErrorCode, type TesseraError } from '@tessera/errors';
import { ChunkAdmission, type ThrottleReason } from './chunk-admission';
import type { ChunkHeader, ChunkSink } from './chunk-writer';

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

  it('frees the worker and the upload slot when a write fails', async () => {
    const failing: ChunkSink = { write: () => Promise.reject(new Error('S3 down')) };
    const admission = new ChunkAdmission(failing, { ...limits, perUploadInflight: 1 });
    await expect(admission.write(header('u', 0), [])).rejects.toThrow('S3 down');
    await expect(admission.write(header('u', 1), [])).rejects.toThrow('S3 down');
    expect(admission.state()).toEqual({ workers: 2, busy: 0, queued: 0 });
  });
});
