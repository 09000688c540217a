import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { metadataV1 } from '@tessera/contracts';
import { IntegrityError } from './client-errors';
import type { ByteRange } from './range-plan';

export interface OrderedWrite {
  /** A range's bytes as they arrived (not joined: that would copy every byte once more). */
  readRange: (range: ByteRange) => Promise<Uint8Array[]>;
  parallelism: number;
  sink: Writable | undefined;
  /** After each range is written: the bytes written so far. */
  onRangeWritten?: (bytesWritten: number) => void;
}

/**
 * Reads ranges with at most `parallelism` in flight (so at most that many ranges are held) and
 * writes them to the sink in order, hashing them on the way.
 */
export async function writeRangesInOrder(
  ranges: readonly ByteRange[],
  write: OrderedWrite,
): Promise<{ bytes: number; sha256: string }> {
  const parallelism = Math.max(1, write.parallelism);
  const inFlight: Promise<Uint8Array[]>[] = [];
  const start = (index: number) => {
    const pending = write.readRange(ranges[index]!);
    pending.catch(() => undefined); // awaited in order below; this keeps a later failure from going unhandled
    inFlight[index] = pending;
  };
  for (let index = 0; index < Math.min(parallelism, ranges.length); index++) start(index);
  const hash = createHash('sha256');
  let bytes = 0;
  for (let index = 0; index < ranges.length; index++) {
    const pieces = await inFlight[index]!;
    delete inFlight[index];
    if (index + parallelism < ranges.length) start(index + parallelism);
    for (const data of pieces) {
      hash.update(data);
      bytes += data.length;
      if (write.sink && !write.sink.write(data)) await once(write.sink, 'drain');
    }
    write.onRangeWritten?.(bytes);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** A read of the whole file must have the node's SHA-256; a range read is not checked. */
export function checkWholeFileSha256(node: metadataV1.Node, range: ByteRange, sha256: string): void {
  if (range.offset === 0 && range.length === Number(node.size) && sha256 !== node.sha256) {
    throw new IntegrityError(`node ${node.nodeId} has SHA-256 ${node.sha256}, the bytes received ${sha256}`);
  }
}
