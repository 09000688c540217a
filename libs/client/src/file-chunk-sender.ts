import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type Client, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callBidiStream, callClientStream, callUnary } from '@tessera/grpc-client';
import { chunkSpan, chunksNotReceived, dealOverLanes, runOfChunks } from './chunk-plan';
import { ChunkRefusedError } from './client-errors';
import { isRetryable, retryDelayMs } from './retry-policy';

const uploadRpc = uploadV1.UploadService.method;

export interface RefusedChunk {
  chunkNumber: number;
  code: number;
  message: string;
  retryAfterSeconds?: number | undefined;
}

/** Sending some chunks of a file to an open upload, over parallel UploadChunks streams. */
export interface FileChunksJob {
  client: Client;
  metadata: Metadata;
  path: string;
  totalBytes: number;
  chunkCount: number;
  chunkBytes: number;
  uploadId: string;
  chunks: number[];
  streams: number;
  maxRetries: number;
  /** A chunk was handed to a stream for the first time. */
  onChunkSent: (chunkNumber: number, bytes: number) => void;
  /** A chunk's bytes as read from the file (again when it is sent again). */
  onChunkRead?: ((chunkNumber: number, data: Buffer) => void) | undefined;
  onRetry?: ((refused: RefusedChunk[], waitMs: number) => void) | undefined;
}

interface RoundOutcome {
  refused: RefusedChunk[];
  /** Chunks of streams that broke off (gateway restarting, connection lost): maybe stored, maybe not. */
  unknown: number[];
  /**
   * Whether every chunk the server stored was answered as it was stored (StreamChunks), so the
   * unknown ones are exactly those to send again, without asking the upload's status.
   */
  acked: boolean;
}

/** A chunk as StreamChunks and UploadChunks take it. */
interface ChunkMessage {
  chunk: { uploadId: string; chunkNumber: bigint; data: Buffer; sha256: string };
}

/** Clients of servers without StreamChunks (older than it): their chunks go on UploadChunks. */
const withoutStreamChunks = new WeakSet<Client>();

/**
 * Sends the job's chunks, each read from the file at its offset and carrying its SHA-256, dealt
 * over `streams` streams. Chunks refused for now (RESOURCE_EXHAUSTED, UNAVAILABLE) and chunks of a
 * stream that broke off with UNAVAILABLE are sent again after the retry-after hint, doubled per
 * round. The chunks go on StreamChunks, which answers each chunk once it is stored, so a broken-off
 * stream's unanswered chunks are sent again as they are (a stored one is answered as a duplicate);
 * on a server without it, on UploadChunks, where the upload's status tells which of a broken-off
 * stream's chunks the server has.
 */
export async function sendFileChunks(job: FileChunksJob): Promise<void> {
  const file = await open(job.path, 'r');
  const sent = new Set<number>();
  try {
    let pending = job.chunks;
    for (let round = 0; pending.length > 0; round++) {
      const lanes = dealOverLanes(pending, job.streams, runOfChunks(job.chunkBytes));
      const outcomes = await Promise.all(lanes.map((lane) => sendLane(job, file, lane, sent)));
      const refused = outcomes.flatMap((outcome) => outcome.refused);
      const unknown = outcomes.flatMap((outcome) => outcome.unknown);
      if (refused.length === 0 && unknown.length === 0) return;
      const acked = outcomes.every((outcome) => outcome.acked);
      const permanent = refused.find((chunk) => !isRetryable(chunk.code));
      if (permanent || round >= job.maxRetries) {
        const first = permanent ?? refused[0] ?? brokenOff(unknown[0]!);
        throw new ChunkRefusedError(first.chunkNumber, first.code, first.message);
      }
      const waitMs = retryDelayMs(
        refused.map((chunk) => chunk.retryAfterSeconds),
        round,
      );
      job.onRetry?.([...refused, ...unknown.map(brokenOff)], waitMs);
      await sleep(waitMs);
      const again = [...refused.map((chunk) => chunk.chunkNumber), ...unknown];
      pending = unknown.length > 0 && !acked ? await stillMissing(job, again) : again;
    }
  } finally {
    await file.close();
  }
}

function brokenOff(chunkNumber: number): RefusedChunk {
  return { chunkNumber, code: 14, message: 'the stream carrying it broke off before the server answered' };
}

async function sendLane(
  job: FileChunksJob,
  file: FileHandle,
  lane: number[],
  sent: Set<number>,
): Promise<RoundOutcome> {
  async function* messages(): AsyncIterable<ChunkMessage> {
    for (const chunkNumber of lane) {
      const data = await readChunk(job, file, chunkNumber);
      job.onChunkRead?.(chunkNumber, data);
      if (!sent.has(chunkNumber)) {
        sent.add(chunkNumber);
        job.onChunkSent(chunkNumber, data.length);
      }
      const sha256 = createHash('sha256').update(data).digest('hex');
      yield { chunk: { uploadId: job.uploadId, chunkNumber: BigInt(chunkNumber), data, sha256 } };
    }
  }
  const acked = !withoutStreamChunks.has(job.client);
  const results: uploadV1.ChunkResult[] = [];
  try {
    await sendOnStream(job, messages(), acked, results);
  } catch (error) {
    const code = (error as ServiceError).code;
    if (acked && code === status.UNIMPLEMENTED && results.length === 0) {
      withoutStreamChunks.add(job.client);
      return sendLane(job, file, lane, sent);
    }
    if (!isRetryable(code)) throw error;
  }
  const refused = results
    .filter((result) => result.code !== 0)
    .map((result) => ({
      chunkNumber: Number(result.chunkNumber),
      code: result.code,
      message: result.message,
      retryAfterSeconds: result.retryAfterSeconds,
    }));
  const answered = new Set(results.map((result) => Number(result.chunkNumber)));
  return { refused, unknown: lane.filter((chunk) => !answered.has(chunk)), acked };
}

/**
 * Sends the messages on one stream and puts each chunk's result into `results`: on StreamChunks as
 * each is answered (so a stream that breaks leaves those answered so far), else on UploadChunks
 * all at the end.
 */
async function sendOnStream(
  job: FileChunksJob,
  messages: AsyncIterable<ChunkMessage>,
  acked: boolean,
  results: uploadV1.ChunkResult[],
): Promise<void> {
  const options = { metadata: job.metadata, maxQueuedMessages: 2 };
  if (!acked) {
    results.push(...(await callClientStream(job.client, uploadRpc.uploadChunks, messages, options)).results);
    return;
  }
  for await (const { result } of callBidiStream(job.client, uploadRpc.streamChunks, messages, options))
    if (result) results.push(result);
}

/** A chunk's bytes, read from the file at its offset. */
export async function readChunk(
  job: Pick<FileChunksJob, 'path' | 'chunkBytes' | 'totalBytes'>,
  file: FileHandle,
  chunkNumber: number,
): Promise<Buffer> {
  const { offset, length } = chunkSpan(chunkNumber, job.chunkBytes, job.totalBytes);
  const data = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(data, filled, length - filled, offset + filled);
    if (bytesRead === 0)
      throw new Error(`${job.path} changed while uploading: it ends before byte ${offset + length}`);
    filled += bytesRead;
  }
  return data;
}

/**
 * Of the given chunks, those the upload's status does not list as received; all of them when the
 * status cannot be had for now (sending a stored chunk again is answered OK, as a duplicate).
 */
async function stillMissing(job: FileChunksJob, chunks: number[]): Promise<number[]> {
  try {
    const status = await callUnary(
      job.client,
      uploadRpc.getUploadStatus,
      { uploadId: job.uploadId },
      { metadata: job.metadata },
    );
    const missing = new Set(chunksNotReceived(job.chunkCount, status.received));
    return chunks.filter((chunk) => missing.has(chunk));
  } catch (error) {
    if (isRetryable((error as ServiceError).code)) return chunks;
    throw error;
  }
}
