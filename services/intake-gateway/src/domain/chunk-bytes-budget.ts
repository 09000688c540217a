import { ErrorCode, TesseraError } from '@tessera/errors';

export interface ChunkBytesBudgetOptions {
  /** Chunk bytes the gateway may hold at once (received, not yet forwarded). */
  maxBytes: number;
  /** The hint a refused chunk carries: when to try again. */
  retryAfterSeconds: number;
}

/** What the budget reports; the adapters turn it into metrics. */
export interface ChunkBytesBudgetObserver {
  refused(): void;
}

/**
 * Bounds the chunk bytes the intake gateway holds while forwarding them to the repository service
 * (a chunk arrives whole, as one gRPC message or HTTP body piece). A chunk that would take the
 * total over the bound is refused at once with RESOURCE_EXHAUSTED and a retry-after hint, so slow
 * forwarding turns into refusals instead of a growing heap.
 */
export class ChunkBytesBudget {
  private held = 0;

  constructor(
    private readonly options: ChunkBytesBudgetOptions,
    private readonly observer: ChunkBytesBudgetObserver = { refused: () => undefined },
  ) {}

  heldBytes(): number {
    return this.held;
  }

  /** Takes `bytes` from the budget; call the returned function (once or more) to give them back. */
  reserve(bytes: number, what: string): () => void {
    if (this.held > 0 && this.held + bytes > this.options.maxBytes) {
      this.observer.refused();
      throw new TesseraError(
        ErrorCode.ResourceExhausted,
        `${what}: the intake gateway is at capacity (${this.held} bytes of chunks in flight, at most ${this.options.maxBytes}); retry after ${this.options.retryAfterSeconds} s`,
        { retryAfterSeconds: this.options.retryAfterSeconds },
      );
    }
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }

  /**
   * Passes chunks through, each one holding its bytes from when it is produced until the consumer
   * asks for the next (it has been forwarded by then) or stops.
   */
  async *hold<T extends { data: Uint8Array; chunkNumber: bigint; uploadId: string }>(
    chunks: AsyncIterable<T>,
  ): AsyncIterable<T> {
    for await (const chunk of chunks) {
      const release = this.reserve(
        chunk.data.length,
        `chunk ${chunk.chunkNumber} of upload ${chunk.uploadId}`,
      );
      try {
        yield chunk;
      } finally {
        release();
      }
    }
  }
}
