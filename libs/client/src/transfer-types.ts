import type { metadataV1 } from '@tessera/contracts';
import type { Transfer } from './chunk-transfer';
import type { RefusedChunk } from './file-chunk-sender';

export interface UploadOptions {
  /** The file's name in its drive. */
  name: string;
  driveId?: string;
  /**
   * A file path no larger than the server's one-call size (GetLimits, 4 MiB by default) goes whole
   * in one UploadFile call unless this is false (default true); there is nothing to resume then.
   */
  oneCall?: boolean;
  /** Bytes per chunk (default 8 MiB; the server's limit is MAX_CHUNK_BYTES). */
  chunkBytes?: number;
  /** UploadChunks streams, or direct PUTs, at once (default 4; a byte stream source always uses one stream). */
  streams?: number;
  /**
   * How a file's chunks travel (default `streamed`; chunk-transfer.ts): `direct` PUTs them straight to
   * S3 through presigned URLs (chunks of at least 5 MiB), `auto` does so when the server and S3
   * allow, else streams them. A byte stream source is always streamed.
   */
  transfer?: Transfer | undefined;
  /** Resume this upload (from GetUploadStatus: only the chunks it lacks are sent) instead of starting one. */
  resumeUploadId?: string;
  /** Called once the upload exists, before any chunk is sent: keep the id to resume after a crash. */
  onUploadStarted?: (upload: { uploadId: string; nodeId: string; chunkBytes: number }) => void;
  /** Bytes handed to the streams so far (for a resumed upload, counting what the server had). */
  onProgress?: (bytesDone: number, totalBytes: number | undefined) => void;
  /**
   * Rounds of sending again the chunks refused for now (RESOURCE_EXHAUSTED, UNAVAILABLE, or on a
   * stream that broke off), each after the server's retry-after hint doubled per round (default 5).
   * Only for a file path: a byte stream cannot be read twice. InitiateUpload, GetUploadStatus and
   * CompleteUpload refused for now (a service restarting) are sent again as often, for any source.
   */
  maxRetries?: number;
  onRetry?: (refused: RefusedChunk[], waitMs: number) => void;
}

export interface UploadResult {
  node: metadataV1.Node;
  uploadId: string;
  bytes: number;
  /** SHA-256 of the bytes sent, equal to the node's (checked). */
  sha256: string;
  /** Chunks already on the server when a resumed upload started. */
  chunksResumed: number;
  /** How the chunks went (a file sent in one UploadFile call, or a byte stream: streamed). */
  transfer: 'direct' | 'streamed';
  /** The W3C trace every call of this upload belongs to. */
  traceId: string;
  seconds: number;
}

export interface DownloadResult {
  node: metadataV1.Node;
  bytes: number;
  sha256: string;
  /** How the bytes came: from S3 with presigned ranged GETs, or through the gateway's ReadFile. */
  transfer: 'direct' | 'streamed';
  /** `transfer: 'auto'` only: why the direct transfer was not used. */
  directFailure?: string;
  traceId: string;
  seconds: number;
}
