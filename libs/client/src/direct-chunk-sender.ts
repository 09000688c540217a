import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type ServiceError } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc-client';
import { SpanStatusCode } from '@opentelemetry/api';
import { inClientSpan, traceContextOf, urlAttributes } from './client-spans';
import { ChunkRefusedError, DirectTransferUnavailableError } from './client-errors';
import { readChunk, type FileChunksJob } from './file-chunk-sender';
import { PresignedPut, type PutAnswer } from './presigned-put';
import { retryDelayMs, retryWhileUnavailable } from './retry-policy';

const uploadRpc = uploadV1.UploadService.method;
/** S3's smallest part: every direct chunk but the last must be at least this. */
export const MIN_DIRECT_CHUNK_BYTES = 5 * 1024 * 1024;

/**
 * Writing some chunks of a file straight to S3, each through a URL PresignChunks hands out:
 * `streams` PUTs at once, and as many chunks presigned per call.
 */
export type DirectChunksJob = Omit<FileChunksJob, 'onRetry'>;

interface PreparedChunk {
  chunkNumber: number;
  data: Buffer;
  sha256: string;
  presigned: uploadV1.PresignedChunk;
}

/** What one PUT came to: done, worth another try (with a fresh URL when `expired`), or refused for good. */
type PutOutcome =
  { kind: 'stored' } | { kind: 'again'; expired: boolean; why: string } | { kind: 'refused'; why: string };

/**
 * Sends the job's chunks straight to S3, `streams` PUTs at a time, while the next chunks are
 * read, hashed and presigned (a batch per PresignChunks call) ahead of them. A URL that expired is
 * asked for again; a PUT that failed on the way (connection, S3 5xx) is tried again after a growing
 * pause. Throws DirectTransferUnavailableError, before any chunk was stored, when the server hands
 * out no URLs or S3 cannot be reached: the caller can stream the chunks instead. Holds at most
 * about 2.5 × streams chunks in memory.
 */
export async function sendChunksDirect(job: DirectChunksJob): Promise<void> {
  if (job.chunkCount > 1 && job.chunkBytes < MIN_DIRECT_CHUNK_BYTES) {
    throw new DirectTransferUnavailableError(
      `chunkBytes ${job.chunkBytes} is below S3's smallest part (${MIN_DIRECT_CHUNK_BYTES} bytes)`,
    );
  }
  const file = await open(job.path, 'r');
  const putter = new PresignedPut(job.streams);
  const ahead = new ChunksAhead(job, file);
  let stored = 0;
  const worker = async () => {
    for (let next = ahead.next(); next; next = ahead.next()) {
      await putChunk(job, putter, await next, stored === 0);
      stored++;
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(job.streams, job.chunks.length)) }, () =>
    worker().catch((error: unknown) => {
      ahead.stop(); // the others finish the chunk in hand and stop
      throw error;
    }),
  );
  try {
    const failed = (await Promise.allSettled(workers)).find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    putter.close();
    await file.close();
  }
}

/** Chunks read, hashed and presigned ahead of their PUTs, in order, a batch per PresignChunks call. */
class ChunksAhead {
  private readonly pending: number[];
  private readonly waiting: Promise<PreparedChunk>[] = [];

  constructor(
    private readonly job: DirectChunksJob,
    private readonly file: FileHandle,
  ) {
    this.pending = [...job.chunks];
  }

  next(): Promise<PreparedChunk> | undefined {
    if (this.waiting.length <= this.job.streams / 2) this.prepareBatch();
    return this.waiting.shift();
  }

  /** After a failure: no more chunks are handed out, prepared or not. */
  stop(): void {
    this.pending.length = 0;
    this.waiting.length = 0;
  }

  private prepareBatch(): void {
    const batch = this.pending.splice(0, this.job.streams);
    if (batch.length === 0) return;
    const ready = this.prepare(batch);
    batch.forEach((_, index) => {
      const one = ready.then((chunks) => chunks[index]!);
      one.catch(() => undefined); // awaited by a worker, or dropped once another chunk failed
      this.waiting.push(one);
    });
  }

  private async prepare(batch: number[]): Promise<PreparedChunk[]> {
    const chunks: Omit<PreparedChunk, 'presigned'>[] = [];
    for (const chunkNumber of batch) {
      const data = await readChunk(this.job, this.file, chunkNumber);
      this.job.onChunkRead?.(chunkNumber, data);
      chunks.push({ chunkNumber, data, sha256: createHash('sha256').update(data).digest('hex') });
    }
    const presigned = await presign(this.job, chunks);
    return chunks.map((chunk, index) => ({ ...chunk, presigned: presigned[index]! }));
  }
}

async function putChunk(job: DirectChunksJob, putter: PresignedPut, chunk: PreparedChunk, first: boolean) {
  for (let attempt = 0; !chunk.presigned.stored; attempt++) {
    const outcome = await inClientSpan(
      'S3.UploadPart',
      traceContextOf(job.metadata),
      {
        'tessera.transfer': 'direct',
        'tessera.chunk_number': chunk.chunkNumber,
        'http.request.method': 'PUT',
        'http.request.body.size': chunk.data.length,
        ...urlAttributes(chunk.presigned.url),
      },
      async (span) => {
        const putOutcome = await put(putter, chunk.presigned, chunk.data);
        span.setAttribute('tessera.put.outcome', putOutcome.kind);
        if (putOutcome.kind !== 'stored')
          span.setStatus({ code: SpanStatusCode.ERROR, message: putOutcome.why });
        return putOutcome;
      },
    );
    if (outcome.kind === 'stored') break;
    if (outcome.kind === 'refused')
      throw new ChunkRefusedError(chunk.chunkNumber, status.FAILED_PRECONDITION, outcome.why);
    if (first && attempt === 0 && !outcome.expired) throw new DirectTransferUnavailableError(outcome.why);
    if (attempt >= job.maxRetries)
      throw new ChunkRefusedError(chunk.chunkNumber, status.UNAVAILABLE, outcome.why);
    if (!outcome.expired) await sleep(retryDelayMs([], attempt));
    chunk.presigned = (await presign(job, [chunk]))[0]!;
  }
  job.onChunkSent(chunk.chunkNumber, chunk.data.length);
}

async function presign(
  job: DirectChunksJob,
  chunks: { chunkNumber: number; data: Buffer; sha256: string }[],
): Promise<uploadV1.PresignedChunk[]> {
  const request = {
    uploadId: job.uploadId,
    chunks: chunks.map(({ chunkNumber, data, sha256 }) => ({
      chunkNumber: BigInt(chunkNumber),
      size: BigInt(data.length),
      sha256,
    })),
    totalChunks: BigInt(job.chunkCount),
  };
  try {
    const answer = await retryWhileUnavailable(
      () => callUnary(job.client, uploadRpc.presignChunks, request, { metadata: job.metadata }),
      job.maxRetries,
    );
    return answer.chunks;
  } catch (error) {
    const code = (error as ServiceError).code;
    if (code === status.FAILED_PRECONDITION || code === status.UNIMPLEMENTED) {
      throw new DirectTransferUnavailableError(`the server hands out no URLs: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** PUTs the chunk's bytes to its URL; S3 checks them against the SHA-256 signed into it. */
async function put(
  putter: PresignedPut,
  presigned: uploadV1.PresignedChunk,
  data: Buffer,
): Promise<PutOutcome> {
  let answer: PutAnswer;
  try {
    answer = await putter.put(presigned.url, presigned.headers, data);
  } catch (error) {
    const cause = (error as { code?: string }).code ?? (error as Error).message;
    return { kind: 'again', expired: false, why: `S3 could not be reached (${cause})` };
  }
  if (answer.status >= 200 && answer.status < 300) return { kind: 'stored' };
  const why = `S3 answered ${answer.status}: ${s3ErrorCode(answer.body)}`;
  if (answer.status >= 500) return { kind: 'again', expired: false, why };
  if (answer.status === 403 && /expired/i.test(answer.body)) return { kind: 'again', expired: true, why };
  return { kind: 'refused', why };
}

/** The <Code> of an S3 error document (never its other parts: they may echo the signed request). */
function s3ErrorCode(body: string): string {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'no error code';
}
