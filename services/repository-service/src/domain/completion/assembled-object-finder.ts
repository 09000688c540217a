import { createHash, type Hash } from 'node:crypto';
import { ErrorCode, isTesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import type { AssemblyPlan } from './assembly-plan';
import type { AssembledObject } from './object-assembler';
import type { StoredChunkRecord, UploadRecord } from '../ports/upload-store.port';

/** An assembled object found in the store, with the SHA-256 of all its bytes. */
export interface FoundAssembly extends AssembledObject {
  sha256: string;
}

/** The part sizes a plan gives the object, so readers can align ranged reads to parts. */
export function plannedPartSizes(plan: AssemblyPlan, chunks: StoredChunkRecord[]): number[] {
  switch (plan.kind) {
    case 'empty':
      return [];
    case 'direct':
      return chunks.map((chunk) => chunk.size);
    case 'recompose':
      return plan.parts.map((part) => part.size);
  }
}

/**
 * Hashes the object chunk by chunk: the SHA-256 of each chunk's range, and of the whole.
 * Undefined as soon as a range differs from its chunk's recorded SHA-256.
 */
async function hashMatchingChunks(
  objects: ObjectStore,
  key: string,
  versionId: string | undefined,
  chunks: StoredChunkRecord[],
  size: number,
): Promise<string | undefined> {
  const whole = createHash('sha256');
  if (size === 0) return whole.digest('hex');
  let index = 0;
  let left = chunks[0]!.size;
  let chunkHash: Hash = createHash('sha256');
  for await (const data of await objects.readRange(key, 0, size, versionId)) {
    let bytes = data as Uint8Array;
    whole.update(bytes);
    while (bytes.length > 0) {
      const take = Math.min(left, bytes.length);
      chunkHash.update(bytes.subarray(0, take));
      bytes = bytes.subarray(take);
      left -= take;
      if (left > 0) continue;
      if (chunkHash.digest('hex') !== chunks[index]!.sha256) return undefined;
      index += 1;
      left = chunks[index]?.size ?? 0;
      chunkHash = createHash('sha256');
    }
  }
  return index === chunks.length ? whole.digest('hex') : undefined;
}

/**
 * After an instance died mid-completion: the object it had already assembled at the upload's key
 * (its multipart upload may be consumed by then), when the current version holds exactly the
 * chunks' bytes in order. Undefined when there is none, so assembling again is right.
 */
export async function findAssembledObject(
  objects: ObjectStore,
  upload: UploadRecord,
  chunks: StoredChunkRecord[],
  plan: AssemblyPlan,
): Promise<FoundAssembly | undefined> {
  const size = chunks.reduce((total, chunk) => total + chunk.size, 0);
  const head = await objects.headObject(upload.objectKey).catch((error: unknown) => {
    if (isTesseraError(error) && error.code === ErrorCode.NotFound) return undefined;
    throw error;
  });
  if (!head || head.size !== size) return undefined;
  const sha256 = await hashMatchingChunks(objects, upload.objectKey, head.versionId, chunks, size);
  if (sha256 === undefined) return undefined;
  const { etag, versionId } = head;
  return { key: upload.objectKey, etag, versionId, size, partSizes: plannedPartSizes(plan, chunks), sha256 };
}
