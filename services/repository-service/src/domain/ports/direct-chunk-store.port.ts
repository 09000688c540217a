import type { LifecycleEvent } from '../events/lifecycle-event';
import type { StoredChunkRecord, UploadRecord, UploadState } from './upload-store.port';

/** A chunk a client writes straight to S3, as part chunkNumber + 1 (docs/design/direct-transfers.md). */
export interface PlannedChunk {
  chunkNumber: number;
  size: number;
  /** Lower-case hex SHA-256 of the bytes the client will send, signed into its URL. */
  sha256: string;
}

/** What planning one chunk of a batch comes to. */
export type ChunkPlan =
  /** Recorded as planned: hand out a URL. */
  | { outcome: 'planned' }
  /** The same bytes are already stored: nothing to write. */
  | { outcome: 'stored' }
  /** A streamed writer is storing this chunk right now. */
  | { outcome: 'in-progress' }
  /** Other bytes are stored, planned or being written under this number and force was not set. */
  | { outcome: 'conflict'; existingSha256: string }
  /** S3 could not complete it where it is (a part above one under 5 MiB, or a small one below others). */
  | { outcome: 'misplaced'; why: string };

export type PlanResult =
  /** Each chunk's plan, in the order asked; the upload as locked. */
  | { outcome: 'planned'; upload: UploadRecord; chunks: ChunkPlan[] }
  | { outcome: 'unknown-upload' }
  | { outcome: 'not-accepting'; state: UploadState };

/** A planned chunk S3 lists with its planned bytes, to record as stored. */
export interface ListedPlannedChunk {
  chunk: PlannedChunk;
  etag: string;
  stored: LifecycleEvent;
}

/**
 * The chunks clients write to S3 themselves. A planned chunk is a row of its own state, taken by
 * no writer, so the takeover of a dead writer's claims never touches it; it counts as stored only
 * once S3 lists its part with the planned SHA-256 and markPlannedChunksStored recorded it.
 */
export interface DirectChunkStore {
  /**
   * Plans a batch of chunks in one transaction, serialised with chunk claims and beginCompletion
   * on the upload. Records nothing when any chunk is in progress or in conflict.
   */
  planChunks(uploadId: string, chunks: PlannedChunk[], options: { force: boolean }): Promise<PlanResult>;
  /** Planned chunks not yet recorded as stored, in chunk order. */
  listPlannedChunks(uploadId: string): Promise<PlannedChunk[]>;
  /**
   * Records listed chunks as stored with their ETags and `stored` events, in one transaction, each
   * if it is still planned with those bytes and the upload still accepts chunks (no event
   * otherwise); the chunks it recorded.
   */
  markPlannedChunksStored(uploadId: string, listed: ListedPlannedChunk[]): Promise<PlannedChunk[]>;
  /** Drops stored chunks, so they count as missing again (their parts in S3 hold other bytes). */
  forgetStoredChunks(uploadId: string, chunkNumbers: number[]): Promise<void>;
}

/** What GetUploadStatus and CompleteUpload need of direct chunks (DirectChunks.reconcile). */
export interface DirectChunkReconciler {
  /** Records the planned chunks S3 now holds with their planned bytes; how many it recorded. */
  reconcile(uploadId: string): Promise<number>;
  /**
   * After S3 refused a completion over a part's ETag: the chunks whose parts S3 now holds with
   * other bytes (a URL used after its chunk was replaced), dropped so they count as missing.
   */
  forgetOverwrittenParts(upload: UploadRecord, chunks: StoredChunkRecord[]): Promise<number[]>;
}

/** Counts what clients write straight to S3, apart from streamed chunks (metrics). */
export interface DirectChunkObserver {
  urlsIssued(count: number): void;
  partsRecorded(count: number, bytes: number): void;
}
