import { ErrorCode, TesseraError } from '@tessera/errors';
import type { ChunkBody, ChunkHeader, ChunkSink, ChunkWriteResult } from './chunk-writer';

export interface ChunkAdmissionLimits {
  /** Chunk writes (S3 part or staged object, then TiDB) running at once. */
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
 * the clients instead of an unbounded queue.
 */
export class ChunkAdmission implements ChunkSink {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inflightByUpload = new Map<string, number>();

  constructor(
    private readonly next: ChunkSink,
    private readonly limits: ChunkAdmissionLimits,
    private readonly observer: ChunkAdmissionObserver = { throttled: () => undefined },
  ) {}

  state(): ChunkAdmissionState {
    return { workers: this.limits.workers, busy: this.busy, queued: this.waiting.length };
  }

  async write(header: ChunkHeader, body: ChunkBody): Promise<ChunkWriteResult> {
    this.admit(header.uploadId);
    this.inflightByUpload.set(header.uploadId, (this.inflightByUpload.get(header.uploadId) ?? 0) + 1);
    try {
      await this.acquireWorker();
      try {
        return await this.next.write(header, body);
      } finally {
        this.releaseWorker();
      }
    } finally {
      const left = this.inflightByUpload.get(header.uploadId)! - 1;
      if (left === 0) this.inflightByUpload.delete(header.uploadId);
      else this.inflightByUpload.set(header.uploadId, left);
    }
  }

  /**
   * Runs another write (a whole small file) as one of the chunk writes: it takes a worker or waits
   * in the same queue, and is refused the same way when the queue is full.
   */
  async run<T>(write: () => Promise<T>): Promise<T> {
    this.refuseWhenFull();
    await this.acquireWorker();
    try {
      return await write();
    } finally {
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
    if (this.busy >= this.limits.workers && this.waiting.length >= this.limits.queueCapacity) {
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
    if (this.busy < this.limits.workers) {
      this.busy++;
      return;
    }
    // The releasing worker hands its slot over directly, so `busy` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releaseWorker(): void {
    const nextInLine = this.waiting.shift();
    if (nextInLine) nextInLine();
    else this.busy--;
  }
}
