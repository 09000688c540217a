import type { ChunkStorage } from '../completion/assembly-plan';
import type { LifecycleEvent } from '../events/lifecycle-event';

/** INITIATED → IN_PROGRESS (first chunk stored) → COMPLETING → COMPLETED | FAILED | ABORTED. */
export type UploadState = 'INITIATED' | 'IN_PROGRESS' | 'COMPLETING' | 'COMPLETED' | 'FAILED' | 'ABORTED';

/** The states in which an upload accepts chunks. */
export const ACCEPTING_STATES: readonly UploadState[] = ['INITIATED', 'IN_PROGRESS'];

export interface NewUpload {
  uploadId: string;
  nodeId: string;
  driveId: string;
  name: string;
  mimeType: string;
  userMetadata: Record<string, string>;
  idempotencyKey: string | undefined;
  /** Where the final object goes (from the key template). */
  objectKey: string;
  /** The node version this write replaces (0: the name must be new); undefined: any. */
  expectedVersion: number | undefined;
}

/** What CompleteUpload asked for, kept while COMPLETING so another instance can finish it. */
export interface CompletionRequest {
  /** When set, exactly chunks 0..totalChunks-1 must have been received. */
  totalChunks: number | undefined;
  /** When set, the assembled file must have this SHA-256 (lower-case hex). */
  sha256: string | undefined;
  /** Read the assembled object back to hash it even when the client's SHA-256 would be recorded. */
  verify?: boolean;
}

export interface UploadRecord extends NewUpload {
  state: UploadState;
  /** The S3 multipart upload of the direct parts, once the first one arrived. */
  multipartUploadId: string | undefined;
  /** The request of the completion under way or done (all undefined before one began). */
  completion: CompletionRequest;
  createdAt: Date;
  updatedAt: Date;
}

/** What a writer announces before writing a chunk's bytes. */
export interface ChunkClaim {
  chunkNumber: number;
  size: number;
  sha256: string;
  storage: ChunkStorage;
}

/** Who wrote a chunk's bytes: a service (streamed) or the client, straight to S3 (PresignChunks). */
export type ChunkWriter = 'service' | 'client';

export interface StoredChunkRecord extends ChunkClaim {
  etag: string;
  /** S3 part number for a direct part; undefined for a staged chunk. */
  partNumber: number | undefined;
  /** How many earlier claims of this chunk were taken over or released. */
  retryCount: number;
  writtenBy: ChunkWriter;
  /** Where a staged chunk's bytes are (domain/chunks/staged-objects.ts); undefined for a direct part. */
  staged: StagedLocation | undefined;
}

/** A staged chunk's bytes: `length` bytes from `offset` of an object in the upload's staging folder. */
export interface StagedLocation {
  /** Its name in the upload's staging folder: the chunk number, or a batch's name. */
  object: string;
  offset: number;
}

export type ClaimResult =
  /** Write the bytes, then markChunkStored with this token (or releaseClaim on failure). The upload as locked. */
  | { outcome: 'claimed'; token: string; upload: UploadRecord }
  /** The same bytes are already stored: nothing to write. */
  | { outcome: 'duplicate'; chunk: StoredChunkRecord }
  /** Another writer is storing this chunk right now; try again shortly. */
  | { outcome: 'in-progress'; sha256: string }
  /** Different bytes are stored (or being stored) under this number and force was not set. */
  | { outcome: 'conflict'; existingSha256: string }
  /** No such upload. */
  | { outcome: 'unknown-upload' }
  /** The upload no longer accepts chunks (completing, completed, failed or aborted). */
  | { outcome: 'not-accepting'; state: UploadState };

/** What a batch claim (claimChunks) came to for one of its chunks. */
export type BatchChunkClaim =
  | { outcome: 'claimed' }
  | { outcome: 'duplicate' }
  | { outcome: 'in-progress' }
  | { outcome: 'conflict'; existingSha256: string };

export type BatchClaimResult =
  /** Write the claimed chunks' bytes, then markBatchStored with this token. The upload as locked. */
  | { outcome: 'claimed'; token: string; upload: UploadRecord; chunks: BatchChunkClaim[] }
  | { outcome: 'unknown-upload' }
  | { outcome: 'not-accepting'; state: UploadState };

/** A batch written to one staged object, for markBatchStored. */
export interface StagedBatch {
  /** The claims' token. */
  token: string;
  /** The staged object's name in the upload's staging folder, and its ETag. */
  object: string;
  etag: string;
  chunks: BatchChunkStored[];
}

/** A chunk of a batch written to one staged object, for markBatchStored. */
export interface BatchChunkStored {
  chunkNumber: number;
  offset: number;
  stored: LifecycleEvent;
}

export type BeginCompletionResult =
  | { outcome: 'started' }
  | { outcome: 'unknown-upload' }
  | { outcome: 'not-accepting'; state: UploadState }
  /** Chunks still being written: completing now could leave them out. */
  | { outcome: 'chunks-in-flight'; chunkNumbers: number[] };

export interface ClaimOptions {
  /** Replace a stored chunk with different bytes. */
  force: boolean;
  /** A claim older than this is taken over: its writer is presumed dead. */
  staleAfterMs: number;
}

/**
 * Upload sessions and their chunks, durable in the metadata database. A chunk is claimed before
 * its bytes are written, so concurrent writers of one chunk number never race on the same S3 part
 * (docs/upload.md).
 */
export interface UploadStore {
  /**
   * Creates the upload with its `initiated` event in the outbox, or returns the one created before
   * with the same drive and idempotency key (writing no event).
   */
  createUpload(
    upload: NewUpload,
    initiated: LifecycleEvent,
  ): Promise<{ upload: UploadRecord; created: boolean }>;
  findUpload(uploadId: string): Promise<UploadRecord | undefined>;
  findUploadByIdempotencyKey(driveId: string, idempotencyKey: string): Promise<UploadRecord | undefined>;
  /**
   * Claims a chunk number for writing. Serialised with beginCompletion on the upload, so no chunk
   * is claimed once completion has started.
   */
  claimChunk(uploadId: string, claim: ChunkClaim, options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Moves an accepting upload with no chunk in flight to COMPLETING, held by this instance, keeping
   * the request. Claims of writers that are gone are dropped first (their chunks count as missing).
   */
  beginCompletion(uploadId: string, request: CompletionRequest): Promise<BeginCompletionResult>;
  /**
   * COMPLETING uploads whose completing instance is gone (killed mid-completion), or is this one
   * (which may be completing it now, or have left it after a transient failure), oldest first.
   */
  findOrphanedCompletions(limit: number): Promise<string[]>;
  /** Takes a completion of a gone instance, or of this one, over; undefined when it cannot (now). */
  adoptCompletion(uploadId: string): Promise<UploadRecord | undefined>;
  /**
   * Moves the upload from one of `from` to `to`, adding `event` to the outbox in the same
   * transaction; false (and no event) when it was in none of them, or, with `idleForMs`, when it
   * had activity within that time (checked in the same statement: the janitor's guard).
   */
  transition(
    uploadId: string,
    from: UploadState[],
    to: UploadState,
    event?: LifecycleEvent,
    options?: { idleForMs?: number },
  ): Promise<boolean>;
  /** Records the multipart upload of the direct parts unless one is recorded: returns the one that counts. */
  recordMultipartUploadId(uploadId: string, multipartUploadId: string): Promise<string>;
  /**
   * Records the stored chunk and its `stored` event; false (and no event) when the claim was lost
   * (taken over) meanwhile.
   */
  markChunkStored(
    uploadId: string,
    chunkNumber: number,
    token: string,
    etag: string,
    stored: LifecycleEvent,
  ): Promise<boolean>;
  /**
   * Claims several chunk numbers of one upload under one token, in one transaction: each chunk's
   * outcome is what claimChunk would have answered for it alone.
   */
  claimChunks(uploadId: string, claims: ChunkClaim[], options: ClaimOptions): Promise<BatchClaimResult>;
  /**
   * Records the chunks of a batch, all in its staged object, with their `stored` events, in one
   * transaction; the chunk numbers recorded (a chunk whose claim was taken over meanwhile is not).
   */
  markBatchStored(uploadId: string, batch: StagedBatch): Promise<number[]>;
  /** Drops the claims of a batch whose write failed (those still held with this token). */
  releaseBatchClaims(uploadId: string, token: string, chunkNumbers: number[]): Promise<void>;
  /** Drops a claim whose write failed, so the chunk counts as missing again. */
  releaseClaim(uploadId: string, chunkNumber: number, token: string): Promise<void>;
  /** Stored chunks in chunk order. */
  listStoredChunks(uploadId: string): Promise<StoredChunkRecord[]>;
  /**
   * Unfinished uploads (INITIATED, IN_PROGRESS or FAILED) whose state has not changed and none of
   * whose chunks was claimed for at least idleMs, by the database's clock; the longest idle first.
   */
  findIdleUploads(idleMs: number, limit: number): Promise<UploadRecord[]>;
  /** The node's uploads that are INITIATED, IN_PROGRESS or FAILED. */
  findUnfinishedOfNode(nodeId: string): Promise<UploadRecord[]>;
}
