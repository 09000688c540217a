import { TesseraError } from '@tessera/errors';

export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * The range a reader asked for, checked against the file's size: offset defaults to 0, length to
 * the rest of the file. An empty file has only the empty range at 0.
 */
export function requestedRange(
  size: number,
  offset: number | undefined,
  length: number | undefined,
): ByteRange {
  const start = offset ?? 0;
  if (start > size)
    throw TesseraError.invalidArgument('offset', `${start} is beyond the end of the file (${size} bytes)`);
  const count = length ?? size - start;
  if (start + count > size) {
    throw TesseraError.invalidArgument(
      'length',
      `${count} bytes from ${start} go beyond the end of the file (${size} bytes)`,
    );
  }
  return { offset: start, length: count };
}

/**
 * Splits a range of an object into ranged reads that never cross a part boundary (each read is
 * served from one part) and are at most maxReadBytes long.
 */
export function planReads(
  partSizes: number[],
  size: number,
  range: ByteRange,
  maxReadBytes: number,
): ByteRange[] {
  const parts = partSizes.length > 0 ? partSizes : [size];
  const end = range.offset + range.length;
  const reads: ByteRange[] = [];
  let partStart = 0;
  for (const partSize of parts) {
    const partEnd = partStart + partSize;
    let position = Math.max(range.offset, partStart);
    while (position < Math.min(end, partEnd)) {
      const length = Math.min(maxReadBytes, Math.min(end, partEnd) - position);
      reads.push({ offset: position, length });
      position += length;
    }
    partStart = partEnd;
    if (partStart >= end) break;
  }
  return reads;
}
