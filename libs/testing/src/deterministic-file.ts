import { createCipheriv, createHash } from 'node:crypto';

/**
 * Reproducible incompressible bytes: chunk i of a file is AES-256-CTR keystream under a fixed key
 * with i in the counter block, so a benchmark can regenerate any chunk instead of keeping the file.
 */
export class DeterministicFile {
  private readonly key = createHash('sha256').update('tessera-bench').digest();

  constructor(
    readonly sizeBytes: number,
    readonly chunkBytes: number,
  ) {}

  get chunkCount(): number {
    return Math.max(1, Math.ceil(this.sizeBytes / this.chunkBytes));
  }

  chunk(index: number): Buffer {
    const length = Math.max(0, Math.min(this.chunkBytes, this.sizeBytes - index * this.chunkBytes));
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(index, 0);
    const cipher = createCipheriv('aes-256-ctr', this.key, iv);
    return cipher.update(Buffer.alloc(length));
  }

  /** SHA-256 of the whole file, computed chunk by chunk. */
  sha256(): string {
    const hash = createHash('sha256');
    for (let index = 0; index < this.chunkCount; index++) hash.update(this.chunk(index));
    return hash.digest('hex');
  }
}
