import type { Sha256VerifiedBy } from '@tessera/nodes';
import type { ObjectStore } from '@tessera/object-storage';
import type { RunningFileHashes } from '../chunks/running-file-hashes';
import type { CompletionRequest, StoredChunkRecord } from '../ports/upload-store.port';
import type { AssembledObject } from './object-assembler';
import { sha256OfObject } from './object-hash';

/** The whole-file SHA-256 a completion records, and who stands behind it. */
export interface FileChecksum {
  sha256: string;
  verifiedBy: Sha256VerifiedBy;
}

/**
 * Decides the file's SHA-256. Chunks that passed through here were hashed as they went (the
 * running hash), so only the rest is read back. An upload with chunks the client wrote to S3
 * itself would be read back almost whole: when the client named the file's SHA-256 (and did not
 * ask to verify), that is recorded as the client's instead, every part's SHA-256 having been
 * checked by S3 or by this service.
 */
export class FileChecksums {
  constructor(
    private readonly objects: ObjectStore,
    private readonly fileHashes?: RunningFileHashes,
  ) {}

  async of(
    uploadId: string,
    assembled: AssembledObject & { sha256?: string },
    chunks: StoredChunkRecord[],
    request: CompletionRequest,
  ): Promise<FileChecksum> {
    if (assembled.sha256 !== undefined) {
      this.fileHashes?.forget(uploadId);
      return { sha256: assembled.sha256, verifiedBy: 'service' };
    }
    const clientWrote = chunks.some((chunk) => chunk.writtenBy === 'client');
    if (clientWrote && request.sha256 !== undefined && request.verify !== true) {
      this.fileHashes?.forget(uploadId);
      return { sha256: request.sha256, verifiedBy: 'client' };
    }
    return { sha256: await this.readBack(uploadId, assembled, chunks, request), verifiedBy: 'service' };
  }

  /**
   * From the running hash of the chunks stored here, reading back only what it lacks. Should that
   * differ from what the client expects, the whole object is read back before the completion is
   * failed, so a fault here can never fail a good upload.
   */
  private async readBack(
    uploadId: string,
    assembled: AssembledObject,
    chunks: StoredChunkRecord[],
    request: CompletionRequest,
  ): Promise<string> {
    const prefix = this.fileHashes?.take(uploadId, chunks);
    if (!prefix) return sha256OfObject(this.objects, assembled);
    const offset = chunks.slice(0, prefix.chunks).reduce((bytes, chunk) => bytes + chunk.size, 0);
    const sha256 = await sha256OfObject(this.objects, assembled, { hash: prefix.hash, offset });
    if (request.sha256 === undefined || request.sha256 === sha256) return sha256;
    return sha256OfObject(this.objects, assembled);
  }
}
