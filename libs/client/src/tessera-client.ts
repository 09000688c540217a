import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { status, type Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1, type metadataV1 } from '@tessera/contracts';
import { callClientStream, callServerStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { fixedSizeChunks } from './fixed-size-chunks';
import { newTrace } from './trace-context';

const MiB = 1024 * 1024;
const uploadRpc = uploadV1.UploadService.method;
/** Refusals that say "not now": the chunk may be sent again after the hint. */
const RETRYABLE = new Set([status.RESOURCE_EXHAUSTED, status.UNAVAILABLE]);

type ChunkInit = MessageInitShape<typeof uploadV1.ChunkSchema>;

/** The longest hint among the refusals (1 s without one), doubled per round, with ±20 % jitter. */
function retryDelayMs(refused: { retryAfterSeconds?: number | undefined }[], round: number): number {
  const hintSeconds = Math.max(...refused.map((result) => result.retryAfterSeconds ?? 1));
  return Math.round(hintSeconds * 1000 * 2 ** round * (0.8 + Math.random() * 0.4));
}

/** The given chunks of a file, read again from disk. */
async function* chunksOfFile(path: string, uploadId: string, chunkNumbers: number[], chunkBytes: number) {
  const file = await open(path, 'r');
  try {
    for (const chunkNumber of chunkNumbers) {
      const data = Buffer.alloc(chunkBytes);
      const { bytesRead } = await file.read(data, 0, chunkBytes, chunkNumber * chunkBytes);
      yield { chunk: { uploadId, chunkNumber: BigInt(chunkNumber), data: data.subarray(0, bytesRead) } };
    }
  } finally {
    await file.close();
  }
}

export interface UploadOptions {
  /** The file's name in its drive. */
  name: string;
  driveId?: string;
  /** Bytes per chunk (default 8 MiB; the server's limit is MAX_CHUNK_BYTES). */
  chunkBytes?: number;
  /** Called as each chunk is handed to the stream, with the bytes sent so far. */
  onProgress?: (bytesDone: number) => void;
  /**
   * Rounds of re-sending chunks the server refused for now (RESOURCE_EXHAUSTED, UNAVAILABLE), each
   * after the retry-after hint it gave (default 5). Only for a file path: a stream cannot be re-read.
   */
  maxRetries?: number;
  /** Called before each round of re-sending, with the refused chunks and the wait. */
  onRetry?: (refused: { chunkNumber: number; code: number; message: string }[], waitMs: number) => void;
}

export interface UploadResult {
  node: metadataV1.Node;
  bytes: number;
  /** SHA-256 of the bytes sent, equal to the node's (checked). */
  sha256: string;
  /** The W3C trace every call of this upload belongs to. */
  traceId: string;
  seconds: number;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  traceId: string;
  seconds: number;
}

/** A chunk the server refused; `code` is the gRPC status it gave. */
export class ChunkRefusedError extends Error {
  constructor(
    readonly chunkNumber: number,
    readonly code: number,
    detail: string,
  ) {
    super(`chunk ${chunkNumber} refused (gRPC status ${code}): ${detail}`);
  }
}

/** The stored object's SHA-256 is not that of the bytes sent or received. */
export class IntegrityError extends Error {}

type Source = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Tessera's public gRPC API (intake gateway): uploads and downloads, each in a trace of its own. */
export class TesseraClient {
  private readonly uploads: Client;
  private readonly downloads: Client;

  constructor(address: string) {
    this.uploads = createGrpcClient(uploadV1.UploadService, address, { 'grpc.max_send_message_length': -1 });
    this.downloads = createGrpcClient(downloadV1.DownloadService, address);
  }

  /** Uploads a file (a path) or a byte stream on one chunk stream, then completes it. */
  async upload(source: Source, options: UploadOptions): Promise<UploadResult> {
    const started = performance.now();
    const { traceId, metadata } = newTrace();
    const { uploadId } = await callUnary(
      this.uploads,
      uploadRpc.initiateUpload,
      { name: options.name, driveId: options.driveId ?? 'default' },
      { metadata },
    );
    const hash = createHash('sha256');
    let chunkCount = 0;
    let bytes = 0;
    const bytesSource =
      typeof source === 'string' ? createReadStream(source, { highWaterMark: MiB }) : source;
    async function* messages() {
      for await (const data of fixedSizeChunks(bytesSource, options.chunkBytes ?? 8 * MiB)) {
        hash.update(data);
        bytes += data.length;
        options.onProgress?.(bytes);
        yield { chunk: { uploadId, chunkNumber: BigInt(chunkCount++), data } };
      }
    }
    const send = async (chunks: AsyncIterable<{ chunk: ChunkInit }>) =>
      (
        await callClientStream(this.uploads, uploadRpc.uploadChunks, chunks, {
          metadata,
          maxQueuedMessages: 2,
        })
      ).results;
    let refused = (await send(messages())).filter((result) => result.code !== 0);
    for (let round = 0; refused.length > 0; round++) {
      const permanent = refused.find((result) => !RETRYABLE.has(result.code));
      const retryable = typeof source === 'string' && round < (options.maxRetries ?? 5);
      if (permanent || !retryable) {
        const first = permanent ?? refused[0]!;
        throw new ChunkRefusedError(Number(first.chunkNumber), first.code, first.message);
      }
      const waitMs = retryDelayMs(refused, round);
      options.onRetry?.(
        refused.map((result) => ({
          chunkNumber: Number(result.chunkNumber),
          code: result.code,
          message: result.message,
        })),
        waitMs,
      );
      await sleep(waitMs);
      const again = refused.map((result) => Number(result.chunkNumber));
      refused = (await send(chunksOfFile(source, uploadId, again, options.chunkBytes ?? 8 * MiB))).filter(
        (result) => result.code !== 0,
      );
    }
    const { node } = await callUnary(
      this.uploads,
      uploadRpc.completeUpload,
      { uploadId, totalChunks: BigInt(chunkCount) },
      { metadata },
    );
    const sha256 = hash.digest('hex');
    if (node!.sha256 !== sha256) {
      throw new IntegrityError(`node ${node!.nodeId} has SHA-256 ${node!.sha256}, the bytes sent ${sha256}`);
    }
    return { node: node!, bytes, sha256, traceId, seconds: (performance.now() - started) / 1000 };
  }

  /** Reads a node's current version with ReadFile into `sink` (if given), hashing it. */
  async download(
    nodeId: string,
    sink?: Writable,
    onProgress?: (bytesDone: number) => void,
  ): Promise<DownloadResult> {
    const started = performance.now();
    const { traceId, metadata } = newTrace();
    const hash = createHash('sha256');
    let bytes = 0;
    const read = callServerStream(
      this.downloads,
      downloadV1.DownloadService.method.readFile,
      { nodeId },
      { metadata },
    );
    for await (const { data } of read) {
      hash.update(data);
      bytes += data.length;
      if (sink && !sink.write(data)) await new Promise((resolve) => sink.once('drain', resolve));
      onProgress?.(bytes);
    }
    return { bytes, sha256: hash.digest('hex'), traceId, seconds: (performance.now() - started) / 1000 };
  }

  close(): void {
    this.uploads.close();
    this.downloads.close();
  }
}
