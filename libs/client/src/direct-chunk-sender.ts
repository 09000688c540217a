import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type Client, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc-client';
import { ChunkRefusedError, DirectTransferUnavailableError } from './client-errors';
import { readChunk } from './file-chunk-sender';
import { retryDelayMs, retryWhileUnavailable } from './retry-policy';

const uploadRpc = uploadV1.UploadService.method;
/** S3's smallest part: every direct chunk but the last must be at least this. */
export const MIN_DIRECT_CHUNK_BYTES = 5 * 1024 * 1024;

/** Writing some chunks of a file straight to S3, each through a URL PresignChunks hands out. */
export interface DirectChunksJob {
  client: Client;
  metadata: Metadata;
  path: string;
  totalBytes: number;
  chunkCount: number;
  chunkBytes: number;
  uploadId: string;
  chunks: number[];
  /** Chunks PUT at once. */
  parallelism: number;
  maxRetries: number;
  /** A chunk's bytes are stored in S3. */
  onChunkSent: (chunkNumber: number, bytes: number) => void;
  onChunkRead?: ((chunkNumber: number, data: Buffer) => void) | undefined;
}

/** What one PUT came to: done, worth another try (with a fresh URL when `expired`), or refused for good. */
type PutOutcome =
  { kind: 'stored' } | { kind: 'again'; expired: boolean; why: string } | { kind: 'refused'; why: string };

/**
 * Sends the job's chunks straight to S3, `parallelism` at a time: each is read from the file,
 * hashed, presigned (its URL bound to those bytes) and PUT. A URL that expired is asked for again;
 * a PUT that failed on the way (connection, S3 5xx) is tried again after a growing pause. Throws
 * DirectTransferUnavailableError, before any chunk was stored, when the server hands out no URLs
 * or S3 cannot be reached: the caller can stream the chunks instead.
 */
export async function sendChunksDirect(job: DirectChunksJob): Promise<void> {
  if (job.chunkCount > 1 && job.chunkBytes < MIN_DIRECT_CHUNK_BYTES) {
    throw new DirectTransferUnavailableError(
      `chunkBytes ${job.chunkBytes} is below S3's smallest part (${MIN_DIRECT_CHUNK_BYTES} bytes)`,
    );
  }
  const file = await open(job.path, 'r');
  const queue = [...job.chunks];
  let stored = 0;
  const worker = async () => {
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      await sendChunk(job, file, chunk, stored === 0);
      stored++;
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(job.parallelism, queue.length)) }, () =>
    worker().catch((error: unknown) => {
      queue.length = 0; // the others finish the chunk in hand and stop
      throw error;
    }),
  );
  try {
    const failed = (await Promise.allSettled(workers)).find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await file.close();
  }
}

async function sendChunk(job: DirectChunksJob, file: FileHandle, chunkNumber: number, first: boolean) {
  const data = await readChunk(job, file, chunkNumber);
  job.onChunkRead?.(chunkNumber, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  for (let attempt = 0; ; attempt++) {
    const presigned = await presign(job, {
      chunkNumber: BigInt(chunkNumber),
      size: BigInt(data.length),
      sha256,
    });
    if (presigned.stored) break;
    const outcome = await put(presigned, data);
    if (outcome.kind === 'stored') break;
    if (outcome.kind === 'refused')
      throw new ChunkRefusedError(chunkNumber, status.FAILED_PRECONDITION, outcome.why);
    if (first && attempt === 0 && !outcome.expired) throw new DirectTransferUnavailableError(outcome.why);
    if (attempt >= job.maxRetries) throw new ChunkRefusedError(chunkNumber, status.UNAVAILABLE, outcome.why);
    if (!outcome.expired) await sleep(retryDelayMs([], attempt));
  }
  job.onChunkSent(chunkNumber, data.length);
}

async function presign(
  job: DirectChunksJob,
  chunk: { chunkNumber: bigint; size: bigint; sha256: string },
): Promise<uploadV1.PresignedChunk> {
  const request = { uploadId: job.uploadId, chunks: [chunk], totalChunks: BigInt(job.chunkCount) };
  try {
    const { chunks } = await retryWhileUnavailable(
      () => callUnary(job.client, uploadRpc.presignChunks, request, { metadata: job.metadata }),
      job.maxRetries,
    );
    return chunks[0]!;
  } catch (error) {
    const code = (error as ServiceError).code;
    if (code === status.FAILED_PRECONDITION || code === status.UNIMPLEMENTED) {
      throw new DirectTransferUnavailableError(`the server hands out no URLs: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** PUTs the chunk's bytes to its URL; S3 checks them against the SHA-256 signed into it. */
async function put(presigned: uploadV1.PresignedChunk, data: Buffer): Promise<PutOutcome> {
  let response: Response;
  try {
    response = await fetch(presigned.url, { method: 'PUT', body: data, headers: presigned.headers });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { kind: 'again', expired: false, why: `S3 could not be reached (${cause})` };
  }
  if (response.ok) {
    await response.body?.cancel();
    return { kind: 'stored' };
  }
  const body = await response.text();
  const why = `S3 answered ${response.status}: ${s3ErrorCode(body)}`;
  if (response.status >= 500) return { kind: 'again', expired: false, why };
  if (response.status === 403 && /expired/i.test(body)) return { kind: 'again', expired: true, why };
  return { kind: 'refused', why };
}

/** The <Code> of an S3 error document (never its other parts: they may echo the signed request). */
function s3ErrorCode(body: string): string {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'no error code';
}
