/** An inclusive range of chunk numbers, as GetUploadStatus reports them. */
export interface ChunkNumberRange {
  first: number;
  last: number;
}

/** Compresses chunk numbers (any order, duplicates allowed) into sorted inclusive ranges. */
export function toRanges(chunkNumbers: Iterable<number>): ChunkNumberRange[] {
  const sorted = [...new Set(chunkNumbers)].sort((a, b) => a - b);
  const ranges: ChunkNumberRange[] = [];
  for (const number of sorted) {
    const previous = ranges[ranges.length - 1];
    if (previous && previous.last + 1 === number) {
      previous.last = number;
    } else {
      ranges.push({ first: number, last: number });
    }
  }
  return ranges;
}

/** The gaps below the highest received chunk: what a resuming client still has to send. */
export function missingRanges(received: readonly ChunkNumberRange[]): ChunkNumberRange[] {
  const missing: ChunkNumberRange[] = [];
  let next = 0;
  for (const range of received) {
    if (range.first > next) missing.push({ first: next, last: range.first - 1 });
    next = range.last + 1;
  }
  return missing;
}
