import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Client, Metadata } from '@grpc/grpc-js';
import { downloadV1, type metadataV1 } from '@tessera/contracts';
import { callServerStream } from '@tessera/grpc-client';
import { IntegrityError } from './client-errors';

const MiB = 1024 * 1024;

export interface DownloadOptions {
  /** A version of the node; the latest when unset. */
  version?: number;
  /** First byte to read (default 0). */
  offset?: number;
  /** Bytes to read from offset (default: to the end). */
  length?: number;
  /** ReadFile calls in flight at once, each for one range (default 4). */
  parallelism?: number;
  /** Bytes per ReadFile call (default 16 MiB); at most parallelism × rangeBytes are held. */
  rangeBytes?: number;
  onProgress?: (bytesDone: number, totalBytes: number) => void;
  /** Times the node's metadata is asked for again after UNAVAILABLE (a service restarting), default 5. */
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
  const size = Number(read.node.size);
  const { offset, length } = rangeOf(size, options);
  const rangeBytes = options.rangeBytes ?? 16 * MiB;
  const parallelism = Math.max(1, options.parallelism ?? 4);
  const windows = Array.from({ length: Math.ceil(length / rangeBytes) }, (_, index) => ({
    offset: offset + index * rangeBytes,
    length: Math.min(rangeBytes, length - index * rangeBytes),
  }));
  const inFlight: Promise<Uint8Array[]>[] = [];
  const start = (index: number) => {
    const pending = readWindow(read, windows[index]!);
    pending.catch(() => undefined); // awaited in order below; this keeps a later failure from going unhandled
    inFlight[index] = pending;
  };
  for (let index = 0; index < Math.min(parallelism, windows.length); index++) start(index);
  const hash = createHash('sha256');
  let bytes = 0;
  for (let index = 0; index < windows.length; index++) {
    const pieces = await inFlight[index]!;
    delete inFlight[index];
    if (index + parallelism < windows.length) start(index + parallelism);
    for (const data of pieces) {
      hash.update(data);
      bytes += data.length;
      if (read.sink && !read.sink.write(data))
        await new Promise((resolve) => read.sink!.once('drain', resolve));
    }
    options.onProgress?.(bytes, length);
  }
  const sha256 = hash.digest('hex');
  if (offset === 0 && length === size && sha256 !== read.node.sha256) {
    throw new IntegrityError(
      `node ${read.node.nodeId} has SHA-256 ${read.node.sha256}, the bytes received ${sha256}`,
    );
  }
  return { bytes, sha256 };
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
