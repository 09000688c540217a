import { createHash, type Hash } from 'node:crypto';
import type { ObjectStore } from '@tessera/object-storage';
import type { AssembledObject } from './object-assembler';

/** A SHA-256 already fed with an object's bytes up to `offset`. */
export interface HashedUpTo {
  hash: Hash;
  offset: number;
}

/** The object's SHA-256 (hex), reading it back from S3 from the start or from where `from` ends. */
export async function sha256OfObject(
  objects: ObjectStore,
  object: AssembledObject,
  from: HashedUpTo = { hash: createHash('sha256'), offset: 0 },
): Promise<string> {
  const { hash, offset } = from;
  if (object.size > offset) {
    for await (const data of await objects.readRange(
      object.key,
      offset,
      object.size - offset,
      object.versionId,
    )) {
      hash.update(data as Uint8Array);
    }
  }
  return hash.digest('hex');
}
