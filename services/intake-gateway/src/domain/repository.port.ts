import type { metadataV1, uploadV1 } from '@tessera/contracts';

/** A chunk the intake gateway checked and forwards. */
export interface CheckedChunk {
  uploadId: string;
  chunkNumber: bigint;
  data: Uint8Array;
  /** As the client sent it, maybe upper-case; '' without one (the repository service computes it). */
  sha256: string;
  force: boolean;
  /** The public request the chunk came in, forwarded as the bytes it was received in. */
  received?: uploadV1.UploadChunksRequest | uploadV1.UploadChunkRequest | uploadV1.StreamChunksRequest;
}

/**
 * The repository service as the intake gateway uses it. Messages are the public contracts, passed
 * through; failures are TesseraErrors carrying the repository's status and message.
 */
export interface Repository {
  createUpload(request: uploadV1.InitiateUploadRequest): Promise<uploadV1.InitiateUploadResponse>;
  /** Streams the chunks (with flow control) and yields each chunk's result once it is settled, in order. */
  writeChunks(chunks: AsyncIterable<CheckedChunk>): AsyncIterable<uploadV1.ChunkResult>;
  completeUpload(request: uploadV1.CompleteUploadRequest): Promise<metadataV1.Node>;
  getUploadStatus(uploadId: string): Promise<uploadV1.GetUploadStatusResponse>;
  abortUpload(uploadId: string): Promise<void>;
  /** A whole small file in one call: its recorded version. */
  uploadFile(request: uploadV1.UploadFileRequest): Promise<uploadV1.UploadFileResponse>;
  getLimits(): Promise<uploadV1.GetLimitsResponse>;
  /** Presigned URLs for chunks the client writes straight to S3. */
  presignChunks(request: uploadV1.PresignChunksRequest): Promise<uploadV1.PresignChunksResponse>;
}
