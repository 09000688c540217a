export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Cuts a range of an object into ranged reads of at most maxRangeBytes, each ending on the
 * farthest part boundary it can reach (several small parts in one read, a large part in several),
 * so a read starts on a part's first byte wherever the sizes allow. No parts: one part of `size`.
 */
export function planRanges(
  partSizes: readonly number[],
  size: number,
  range: ByteRange,
  maxRangeBytes: number,
): ByteRange[] {
  if (!(maxRangeBytes >= 1)) throw new RangeError(`rangeBytes must be at least 1, got ${maxRangeBytes}`);
  const partEnds = endsOf(partSizes.length > 0 ? partSizes : [size]);
  const end = range.offset + range.length;
  const ranges: ByteRange[] = [];
  let part = 0;
  for (let offset = range.offset; offset < end;) {
    const limit = Math.min(end, offset + maxRangeBytes);
    while (part < partEnds.length && partEnds[part]! <= offset) part++;
    let cut = limit;
    for (let next = part; next < partEnds.length && partEnds[next]! <= limit; next++) cut = partEnds[next]!;
    ranges.push({ offset, length: cut - offset });
    offset = cut;
  }
  return ranges;
}

function endsOf(sizes: readonly number[]): number[] {
  let end = 0;
  return sizes.map((size) => (end += size));
}
