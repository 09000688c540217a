/**
 * How the chunks of an upload become one S3 object (see docs/upload.md). Pure logic: no I/O.
 */
import type { StagedLocation } from '../ports/upload-store.port';

const MiB = 1024 * 1024;

/** S3's multipart rules. */
export interface PartRules {
  /** Smallest size of every part but the last. */
  minPartBytes: number;
  maxPartBytes: number;
  maxParts: number;
}

export const S3_PART_RULES: PartRules = {
  minPartBytes: 5 * MiB,
  maxPartBytes: 5 * 1024 * MiB,
  maxParts: 10_000,
};

/** Where a received chunk's bytes are. */
export type ChunkStorage = 'direct-part' | 'staged';

export interface StoredChunk {
  chunkNumber: number;
  size: number;
  storage: ChunkStorage;
  /** A staged chunk's place; default: its own object, named by its number. */
  staged?: StagedLocation | undefined;
}

/** Where a staged chunk's bytes are when it has no object of its own. */
export function stagedLocationOf(chunk: StoredChunk): StagedLocation {
  return chunk.staged ?? { object: String(chunk.chunkNumber), offset: 0 };
}

/** A direct part carries part number chunkNumber + 1; everything else is staged as its own object. */
export function storageForChunk(
  chunkNumber: number,
  size: number,
  rules: PartRules = S3_PART_RULES,
): ChunkStorage {
  return size >= rules.minPartBytes && size <= rules.maxPartBytes && chunkNumber < rules.maxParts
    ? 'direct-part'
    : 'staged';
}

export function directPartNumber(chunkNumber: number): number {
  return chunkNumber + 1;
}

/** A byte range of the intermediate object (the direct parts completed together). */
export interface IntermediateRange {
  source: 'intermediate';
  offset: number;
  length: number;
}

/** A byte range of a staged object: one chunk's own, or a batch's (chunks staged together). */
export interface StagedRange {
  source: 'staged';
  /** Its name in the upload's staging folder. */
  object: string;
  offset: number;
  length: number;
}

export type ByteRange = IntermediateRange | StagedRange;

export interface RecomposedPart {
  partNumber: number;
  size: number;
  /** In file order. A part that is one intermediate range can be copied inside S3. */
  ranges: ByteRange[];
}

export type AssemblyPlan =
  | { kind: 'empty' }
  | {
      kind: 'direct';
      /** Part numbers already uploaded, in order. */
      directParts: number[];
      /** The last chunk when it was staged: upload it as this part number before completing. */
      stagedLast?: { chunkNumber: number; partNumber: number };
    }
  | {
      kind: 'recompose';
      /** Direct parts completed, in order, into the intermediate object (empty: none exists). */
      intermediateParts: number[];
      partBytes: number;
      parts: RecomposedPart[];
    };

/** True when a part is one range of one object, which S3 copies itself (UploadPartCopy). */
export function isServerSideCopy(part: RecomposedPart): part is RecomposedPart & { ranges: [ByteRange] } {
  return part.ranges.length === 1;
}

/**
 * Chooses how to assemble chunks 0..n-1 (given in chunk order, all present) into one object.
 * Throws if the chunks are not exactly 0..n-1: callers check completeness first.
 */
export function planAssembly(chunks: readonly StoredChunk[], rules: PartRules = S3_PART_RULES): AssemblyPlan {
  chunks.forEach((chunk, index) => {
    if (chunk.chunkNumber !== index) throw new Error(`chunk ${index} missing from the assembly`);
  });
  const totalBytes = chunks.reduce((sum, chunk) => sum + chunk.size, 0);
  if (totalBytes === 0) return { kind: 'empty' };
  const direct = chunks.filter((chunk) => chunk.storage === 'direct-part');
  return canCompleteDirectly(chunks, rules)
    ? directPlan(chunks, direct)
    : recomposePlan(chunks, direct, totalBytes, rules);
}

function canCompleteDirectly(chunks: readonly StoredChunk[], rules: PartRules): boolean {
  const last = chunks[chunks.length - 1]!;
  const allButLastDirect = chunks
    .slice(0, -1)
    .every((chunk) => chunk.storage === 'direct-part' && chunk.size >= rules.minPartBytes);
  return (
    allButLastDirect &&
    directPartNumber(last.chunkNumber) <= rules.maxParts &&
    last.size <= rules.maxPartBytes
  );
}

function directPlan(chunks: readonly StoredChunk[], direct: StoredChunk[]): AssemblyPlan {
  const last = chunks[chunks.length - 1]!;
  const directParts = direct.map((chunk) => directPartNumber(chunk.chunkNumber));
  return last.storage === 'staged'
    ? {
        kind: 'direct',
        directParts,
        stagedLast: { chunkNumber: last.chunkNumber, partNumber: directPartNumber(last.chunkNumber) },
      }
    : { kind: 'direct', directParts };
}

/**
 * Size of the recomposed parts built from several ranges: ≥ 8 MiB, whole MiB, and few enough
 * parts. A range of one object of at least S3's part minimum (a batch of small chunks, or direct
 * parts) is copied inside S3 as a part of its own; the part gathered before it ends there when it
 * has S3's minimum, or is topped up to it from the range.
 */
export function recomposedPartBytes(totalBytes: number, rules: PartRules): number {
  const needed = Math.max(8 * MiB, rules.minPartBytes, Math.ceil(totalBytes / rules.maxParts));
  return Math.ceil(needed / MiB) * MiB;
}

function recomposePlan(
  chunks: readonly StoredChunk[],
  direct: StoredChunk[],
  totalBytes: number,
  rules: PartRules,
): AssemblyPlan {
  const partBytes = recomposedPartBytes(totalBytes, rules);
  // Parts copied whole from one object may be as small as S3's minimum: only while that many fit.
  const copyParts = Math.ceil(totalBytes / rules.minPartBytes) <= rules.maxParts;
  const parts: RecomposedPart[] = [];
  let current: RecomposedPart = { partNumber: 1, size: 0, ranges: [] };
  const flush = () => {
    parts.push(current);
    current = { partNumber: current.partNumber + 1, size: 0, ranges: [] };
  };
  const append = (range: ByteRange, length: number): ByteRange => {
    appendRange(current, { ...range, length });
    return { ...range, offset: range.offset + length, length: range.length - length };
  };
  for (const range of mergedRanges(fileRanges(chunks))) {
    let remaining = range;
    while (remaining.length > 0) {
      if (copyParts && remaining.length >= rules.minPartBytes) {
        if (current.size >= rules.minPartBytes) flush();
        const topUp = current.size === 0 ? 0 : rules.minPartBytes - current.size;
        if (remaining.length - topUp >= rules.minPartBytes) {
          // What was gathered is topped up to S3's minimum; the rest of the range is one copied part.
          if (topUp > 0) {
            remaining = append(remaining, topUp);
            flush();
          }
          remaining = append(remaining, Math.min(remaining.length, rules.maxPartBytes));
          flush();
          continue;
        }
      }
      remaining = append(remaining, Math.min(remaining.length, partBytes - current.size));
      if (current.size === partBytes) flush();
    }
  }
  if (current.size > 0) parts.push(current);
  return {
    kind: 'recompose',
    intermediateParts: direct.map((chunk) => directPartNumber(chunk.chunkNumber)),
    partBytes,
    parts,
  };
}

/** Consecutive ranges that continue each other in one object, as one. */
function mergedRanges(ranges: ByteRange[]): ByteRange[] {
  const merged: RecomposedPart = { partNumber: 0, size: 0, ranges: [] };
  ranges.forEach((range) => appendRange(merged, range));
  return merged.ranges;
}

/**
 * The file as ranges in order: direct chunks map to consecutive ranges of the intermediate object,
 * and chunks staged together to consecutive ranges of their batch's object (merged into one read).
 */
function fileRanges(chunks: readonly StoredChunk[]): ByteRange[] {
  const ranges: ByteRange[] = [];
  let intermediateOffset = 0;
  for (const chunk of chunks) {
    if (chunk.size === 0) continue;
    if (chunk.storage === 'direct-part') {
      ranges.push({ source: 'intermediate', offset: intermediateOffset, length: chunk.size });
      intermediateOffset += chunk.size;
    } else {
      const { object, offset } = stagedLocationOf(chunk);
      ranges.push({ source: 'staged', object, offset, length: chunk.size });
    }
  }
  return ranges;
}

/** Adds a range to a part, merging it with the previous one when they are contiguous. */
function appendRange(part: RecomposedPart, range: ByteRange): void {
  const previous = part.ranges[part.ranges.length - 1];
  const contiguous =
    previous !== undefined &&
    previous.source === range.source &&
    previous.offset + previous.length === range.offset &&
    (previous.source === 'intermediate' || previous.object === (range as StagedRange).object);
  if (contiguous) {
    previous.length += range.length;
  } else {
    part.ranges.push({ ...range });
  }
  part.size += range.length;
}

/** Each part's SHA-256 when the parts are the chunks (each checked on the way in); none when rebuilt. */
export function partSha256Of(plan: AssemblyPlan, chunks: { sha256: string }[]): string[] {
  return plan.kind === 'direct' ? chunks.map((chunk) => chunk.sha256) : [];
}
