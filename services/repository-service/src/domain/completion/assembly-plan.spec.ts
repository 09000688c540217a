import {
  isServerSideCopy,
  planAssembly,
  recomposedPartBytes,
  S3_PART_RULES,
  storageForChunk,
  type AssemblyPlan,
  type StoredChunk,
} from './assembly-plan';

const KiB = 1024;
const MiB = 1024 * KiB;

function chunksOf(sizes: number[]): StoredChunk[] {
  return sizes.map((size, chunkNumber) => ({
    chunkNumber,
    size,
    storage: storageForChunk(chunkNumber, size),
  }));
}

/** Replays a recompose plan over the file's bytes and checks S3's rules and exact coverage. */
function expectValidRecomposition(chunks: StoredChunk[], plan: AssemblyPlan): void {
  if (plan.kind !== 'recompose') throw new Error(`expected recompose, got ${plan.kind}`);
  const total = chunks.reduce((sum, chunk) => sum + chunk.size, 0);
  expect(plan.parts.length).toBeLessThanOrEqual(S3_PART_RULES.maxParts);
  const badParts = plan.parts.filter(
    (part, index) =>
      part.partNumber !== index + 1 ||
      part.size !== part.ranges.reduce((sum, range) => sum + range.length, 0) ||
      (index < plan.parts.length - 1 && part.size < S3_PART_RULES.minPartBytes) ||
      part.size > S3_PART_RULES.maxPartBytes,
  );
  expect(badParts).toEqual([]);
  // Walk the ranges: they must visit each chunk's bytes once, in file order.
  let fileOffset = 0;
  const chunkStart = chunks.map((chunk) => ((fileOffset += chunk.size), fileOffset - chunk.size));
  const direct = chunks.filter((chunk) => chunk.storage === 'direct-part');
  let intermediateOffset = 0;
  const directStart = direct.map(
    (chunk) => ((intermediateOffset += chunk.size), intermediateOffset - chunk.size),
  );
  const fileOffsetOfIntermediate = (offset: number): number => {
    let low = 0;
    let high = direct.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (directStart[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return chunkStart[direct[low]!.chunkNumber]! + offset - directStart[low]!;
  };
  let position = 0;
  const outOfOrder = [];
  for (const range of plan.parts.flatMap((part) => part.ranges)) {
    const rangeFileOffset =
      range.source === 'staged'
        ? chunkStart[Number(range.object)]! + range.offset
        : fileOffsetOfIntermediate(range.offset);
    if (rangeFileOffset !== position) outOfOrder.push({ range, expectedAt: position });
    position += range.length;
  }
  expect(outOfOrder).toEqual([]);
  expect(position).toBe(total);
}

describe('storageForChunk', () => {
  it('sends chunks of at least 5 MiB numbered below 10,000 straight into the multipart upload', () => {
    expect(storageForChunk(0, 5 * MiB)).toBe('direct-part');
    expect(storageForChunk(9_999, 8 * MiB)).toBe('direct-part');
    expect(storageForChunk(10_000, 8 * MiB)).toBe('staged');
    expect(storageForChunk(3, 5 * MiB - 1)).toBe('staged');
    expect(storageForChunk(0, 1)).toBe('staged');
  });
});

describe('planAssembly', () => {
  it('writes an empty object for an upload without bytes', () => {
    expect(planAssembly([])).toEqual({ kind: 'empty' });
    expect(planAssembly(chunksOf([0]))).toEqual({ kind: 'empty' });
  });

  it('completes directly when every chunk but the last is a direct part', () => {
    expect(planAssembly(chunksOf([8 * MiB, 8 * MiB, 3 * MiB]))).toEqual({
      kind: 'direct',
      directParts: [1, 2],
      stagedLast: { chunkNumber: 2, partNumber: 3 },
    });
    expect(planAssembly(chunksOf([8 * MiB, 6 * MiB]))).toEqual({ kind: 'direct', directParts: [1, 2] });
  });

  it('completes a small single-chunk file directly as one part', () => {
    expect(planAssembly(chunksOf([10]))).toEqual({
      kind: 'direct',
      directParts: [],
      stagedLast: { chunkNumber: 0, partNumber: 1 },
    });
  });

  it('recomposes 20,000 chunks of 64 KiB into 8 MiB parts', () => {
    const chunks = chunksOf(Array.from({ length: 20_000 }, () => 64 * KiB));
    const plan = planAssembly(chunks);
    expectValidRecomposition(chunks, plan);
    if (plan.kind !== 'recompose') return;
    expect(plan.intermediateParts).toEqual([]);
    expect(plan.partBytes).toBe(8 * MiB);
    expect(plan.parts).toHaveLength(Math.ceil((20_000 * 64 * KiB) / (8 * MiB)));
  });

  it('recomposes alternating 7 MiB and 1 KiB chunks, copying inside S3 where a part is one intermediate range', () => {
    const sizes = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 7 * MiB : KiB));
    const chunks = chunksOf(sizes);
    const plan = planAssembly(chunks);
    expectValidRecomposition(chunks, plan);
    if (plan.kind !== 'recompose') return;
    expect(plan.intermediateParts).toEqual(sizes.flatMap((size, i) => (size === 7 * MiB ? [i + 1] : [])));
  });

  it('merges consecutive direct chunks into one server-side copy range', () => {
    const chunks = chunksOf([KiB, 8 * MiB, 8 * MiB, 8 * MiB, KiB]);
    const plan = planAssembly(chunks);
    expectValidRecomposition(chunks, plan);
    if (plan.kind !== 'recompose') return;
    expect(plan.parts.some(isServerSideCopy)).toBe(true);
  });

  it('copies a batch object of small chunks (group commit) that is large enough as a part of its own', () => {
    // 64 KiB chunks staged in batches of 100 (6.25 MiB) and, at the end, 30 (1.9 MiB)
    const chunks = Array.from({ length: 330 }, (_, n) => ({
      chunkNumber: n,
      size: 64 * KiB,
      storage: 'staged' as const,
      staged: { object: `b${Math.floor(n / 100)}`, offset: (n % 100) * 64 * KiB },
    }));
    const plan = planAssembly(chunks);
    if (plan.kind !== 'recompose') throw new Error(plan.kind);
    expect(
      plan.parts.map((part) => [
        part.size,
        part.ranges.map((range) => range.source === 'staged' && range.object),
      ]),
    ).toEqual([
      [100 * 64 * KiB, ['b0']],
      [100 * 64 * KiB, ['b1']],
      [100 * 64 * KiB, ['b2']],
      [30 * 64 * KiB, ['b3']],
    ]);
    expect(plan.parts.every(isServerSideCopy)).toBe(true);
  });

  it('tops up a part of small ranges from the next large range, and copies the rest of it', () => {
    // Each chunk staged as its own object (the spec's replay reads an object's name as its chunk).
    const staged = (chunkNumber: number, size: number): StoredChunk => ({
      chunkNumber,
      size,
      storage: 'staged',
    });
    const chunks = [staged(0, 3 * MiB), staged(1, 12 * MiB), staged(2, MiB)];
    const plan = planAssembly(chunks);
    expectValidRecomposition(chunks, plan);
    if (plan.kind !== 'recompose') return;
    expect(plan.parts.map((part) => part.size)).toEqual([5 * MiB, 10 * MiB, MiB]);
    expect(plan.parts.map(isServerSideCopy)).toEqual([false, true, true]);
  });

  it('keeps S3’s rules and the file’s order for batches of any size, copying the large ones', () => {
    for (let round = 0; round < 50; round++) {
      const chunks: StoredChunk[] = [];
      while (chunks.length < 2_000) {
        const first = chunks.length;
        const count = 1 + Math.floor(Math.random() * 128);
        for (let k = 0; k < count; k++) {
          // named by its first chunk, so the spec's replay finds each chunk's place in the file
          const staged = { object: String(first), offset: k * 64 * KiB };
          chunks.push({ chunkNumber: first + k, size: 64 * KiB, storage: 'staged', staged });
        }
      }
      const plan = planAssembly(chunks);
      expectValidRecomposition(chunks, plan);
    }
  });

  it('stays within 10,000 parts for files larger than 10,000 × 8 MiB', () => {
    const total = 100 * 1024 * MiB;
    expect(recomposedPartBytes(total, S3_PART_RULES)).toBe(11 * MiB);
    const chunks = chunksOf(Array.from({ length: 12_000 }, () => Math.floor(total / 12_000)));
    const plan = planAssembly(chunks);
    expectValidRecomposition(chunks, plan);
  });

  it('refuses an incomplete chunk list', () => {
    expect(() => planAssembly(chunksOf([8 * MiB, 8 * MiB]).slice(1))).toThrow('chunk 0 missing');
  });
});
