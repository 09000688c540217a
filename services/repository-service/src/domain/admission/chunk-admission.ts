import { ErrorCode, TesseraError } from '@tessera/errors';
import type {
  BatchChunk,
  ChunkBody,
  ChunkHeader,
  ChunkSettlement,
  ChunkSink,
  ChunkWriteResult,
} from '../chunks/chunk-writer';
import { PoolUsageMeter } from './pool-usage';
import type { PoolUsage } from './worker-pool-sizer';

export interface ChunkAdmissionLimits {
  /** Chunk writes (S3 part or staged object, then TiDB) running at once, to begin with (resize). */
  workers: number;
  /** Chunks waiting for a worker; their streams are not read meanwhile, so nothing is buffered. */
  queueCapacity: number;
  /** Chunks of one upload running or waiting at once, across all its streams. */
  perUploadInflight: number;
  /** The hint a refused chunk carries: when to try again. */
  retryAfterSeconds: number;
}

export type ThrottleReason = 'queue-full' | 'upload-limit';

/** What the admission reports; the adapters turn it into metrics. */
export interface ChunkAdmissionObserver {
  throttled(reason: ThrottleReason): void;
}

/** The pool's state right now, for gauges. */
export interface ChunkAdmissionState {
  workers: number;
  busy: number;
  queued: number;
}

/**
 * Bounds the chunk writes: at most `workers` run, at most `queueCapacity` wait (first come, first
 * served), at most `perUploadInflight` belong to one upload. A chunk over a bound is refused at once
 * with RESOURCE_EXHAUSTED and a retry-after hint, so slow S3 or TiDB turns into backpressure on
 * the clients instead of an unbounded queue. The number of workers can change while it runs
 * (adaptive-chunk-workers.ts); it measures what the pool did for that.
 */
export class ChunkAdmission implements ChunkSink {
  private workers: number;
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inflightByUpload = new Map<string, number>();
  private readonly meter: PoolUsageMeter;

  constructor(
    private readonly next: ChunkSink,
    private readonly limits: ChunkAdmissionLimits,
    private readonly observer: ChunkAdmissionObserver = { throttled: () => undefined },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.workers = limits.workers;
    this.meter = new PoolUsageMeter(now);
  }

  state(): ChunkAdmissionState {
    return { workers: this.workers, busy: this.busy, queued: this.waiting.length };
  }

  /** What the pool did since the last call, and a new interval of measurement begins. */
  usage(): PoolUsage {
    return this.meter.take(this.workers);
  }

  /**
   * A pool of `workers` from now on. Growing starts waiting writes at once; shrinking lets running
   * writes finish, and a freed worker beyond the new size is not handed on.
   */
  resize(workers: number): void {
    this.workers = workers;
    while (this.busy < this.workers && this.waiting.length > 0) {
      this.busy++;
      this.waiting.shift()!();
    }
    this.meter.changed(this.busy, this.waiting.length);
  }

  write(header: ChunkHeader, body: ChunkBody): Promise<ChunkWriteResult> {
    return this.ofUpload(header.uploadId, () => this.next.write(header, body));
  }

  /** A batch (group commit) is one write: one worker, one of its upload's chunks in flight. */
  writeBatch(chunks: BatchChunk[]): Promise<ChunkSettlement[]> {
    return this.ofUpload(chunks[0]!.header.uploadId, () => this.next.writeBatch(chunks));
  }

  private async ofUpload<T>(uploadId: string, write: () => Promise<T>): Promise<T> {
    this.admit(uploadId);
    this.inflightByUpload.set(uploadId, (this.inflightByUpload.get(uploadId) ?? 0) + 1);
    try {
      return await this.withWorker(write);
    } finally {
      const left = this.inflightByUpload.get(uploadId)! - 1;
      if (left === 0) this.inflightByUpload.delete(uploadId);
      else this.inflightByUpload.set(uploadId, left);
    }
  }

  /**
   * Runs another write (a whole small file) as one of the chunk writes: it takes a worker or waits
   * in the same queue, and is refused the same way when the queue is full.
   */
  async run<T>(write: () => Promise<T>): Promise<T> {
    this.refuseWhenFull();
    return this.withWorker(write);
  }

  private async withWorker<T>(write: () => Promise<T>): Promise<T> {
    await this.acquireWorker();
    const startedAt = this.now();
    let failed = false;
    try {
      return await write();
    } catch (error) {
      failed = isStorageFailure(error);
      throw error;
    } finally {
      this.meter.finishedOne(this.now() - startedAt, failed);
      this.releaseWorker();
    }
  }

  private admit(uploadId: string): void {
    const ofUpload = this.inflightByUpload.get(uploadId) ?? 0;
    if (ofUpload >= this.limits.perUploadInflight) {
      this.refuse(
        'upload-limit',
        `upload ${uploadId} already has ${ofUpload} chunks in flight, the most one upload may have; retry after ${this.limits.retryAfterSeconds} s`,
      );
    }
    this.refuseWhenFull();
  }

  private refuseWhenFull(): void {
    if (this.busy >= this.workers && this.waiting.length >= this.limits.queueCapacity) {
      this.meter.refusedOne();
      this.refuse(
        'queue-full',
        `the repository service is at capacity (${this.busy} chunk writes running, ${this.waiting.length} queued); retry after ${this.limits.retryAfterSeconds} s`,
      );
    }
  }

  private refuse(reason: ThrottleReason, message: string): never {
    this.observer.throttled(reason);
    throw new TesseraError(ErrorCode.ResourceExhausted, message, {
      retryAfterSeconds: this.limits.retryAfterSeconds,
    });
  }

  private async acquireWorker(): Promise<void> {
    if (this.busy < this.workers) {
      this.busy++;
      this.meter.changed(this.busy, this.waiting.length);
      return;
    }
    // The releasing worker hands its slot over directly, so `busy` stays counted.
    const handedOver = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.meter.changed(this.busy, this.waiting.length);
    await handedOver;
  }

  private releaseWorker(): void {
    const nextInLine = this.busy <= this.workers ? this.waiting.shift() : undefined;
    if (nextInLine) nextInLine();
    else this.busy--;
    this.meter.changed(this.busy, this.waiting.length);
  }
}

/** A write failed by S3 or TiDB, not by what the client sent: a sign the store is struggling. */
function isStorageFailure(error: unknown): boolean {
  if (!(error instanceof TesseraError)) return true;
  return error.code === ErrorCode.Unavailable || error.code === ErrorCode.Internal;
}
