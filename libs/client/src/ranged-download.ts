import type { Writable } from 'node:stream';
import type { Client, Metadata } from '@grpc/grpc-js';
import { downloadV1, type metadataV1 } from '@tessera/contracts';
import { callServerStream } from '@tessera/grpc-client';
import { IntegrityError } from './client-errors';
import type { Transfer } from './chunk-transfer';
import { checkWholeFileSha256, writeRangesInOrder } from './ordered-ranges';

const MiB = 1024 * 1024;

export interface DownloadOptions {
  /** A version of the node; the latest when unset. */
  version?: number;
  /** First byte to read (default 0). */
  offset?: number;
  /** Bytes to read from offset (default: to the end). */
  length?: number;
  /**
   * `streamed` (the default): ReadFile calls through the gateway. `direct`: ranged GETs of a
   * presigned S3 URL (GetDownloadUrl), straight from S3. `auto`: direct when the server hands out
   * a URL and the first GET answers, else streamed (decided before any byte is written).
   */
  transfer?: Transfer | undefined;
  /** ReadFile calls or ranged GETs in flight at once, each for one range (default 4). */
  parallelism?: number;
  /**
   * Bytes per ReadFile call or ranged GET (default 16 MiB; a GET ends on a part boundary when one
   * is in reach); at most parallelism × rangeBytes are held.
   */
  rangeBytes?: number;
  /** Direct: lifetime asked for the presigned URL (the server's default when unset). */
  urlTtlSeconds?: number;
  onProgress?: (bytesDone: number, totalBytes: number) => void;
  /**
   * Times the node's metadata (or its download URL) is asked for again after UNAVAILABLE (a service
   * restarting), default 5.
   */
  maxRetries?: number;
}

export interface RangedRead {
  client: Client;
  metadata: Metadata;
  node: metadataV1.Node;
  sink: Writable | undefined;
}

/** The byte range to read, checked against the node's size, naming the offending option. */
export function rangeOf(size: number, options: DownloadOptions): { offset: number; length: number } {
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
    throw new RangeError(`offset must be within the file (0..${size}), got ${offset}`);
  }
  const length = options.length ?? size - offset;
  if (!Number.isSafeInteger(length) || length < 0 || offset + length > size) {
    throw new RangeError(
      `length must keep the range within the file (at most ${size - offset}), got ${length}`,
    );
  }
  return { offset, length };
}

/**
 * Reads a range of one node version with parallel ReadFile calls, each for its own range, and
 * writes the bytes to the sink in order; a whole-file read is checked against the node's SHA-256.
 */
export async function readRanges(
  read: RangedRead,
  options: DownloadOptions,
): Promise<{ bytes: number; sha256: string }> {
  const range = rangeOf(Number(read.node.size), options);
  const rangeBytes = options.rangeBytes ?? 16 * MiB;
  const windows = Array.from({ length: Math.ceil(range.length / rangeBytes) }, (_, index) => ({
    offset: range.offset + index * rangeBytes,
    length: Math.min(rangeBytes, range.length - index * rangeBytes),
  }));
  const written = await writeRangesInOrder(windows, {
    readRange: (window) => readWindow(read, window),
    parallelism: options.parallelism ?? 4,
    sink: read.sink,
    onRangeWritten: (bytes) => options.onProgress?.(bytes, range.length),
  });
  checkWholeFileSha256(read.node, range, written.sha256);
  return written;
}

/** A window's bytes as the messages brought them (not joined: that would copy every byte once more). */
async function readWindow(
  read: RangedRead,
  window: { offset: number; length: number },
): Promise<Uint8Array[]> {
  const pieces: Uint8Array[] = [];
  let received = 0;
  const request = {
    nodeId: read.node.nodeId,
    version: read.node.version,
    offset: BigInt(window.offset),
    length: BigInt(window.length),
  };
  for await (const { data } of callServerStream(
    read.client,
    downloadV1.DownloadService.method.readFile,
    request,
    { metadata: read.metadata },
  )) {
    pieces.push(data);
    received += data.length;
  }
  if (received !== window.length) {
    throw new IntegrityError(`ReadFile of ${window.length} bytes at ${window.offset} returned ${received}`);
  }
  return pieces;
}
