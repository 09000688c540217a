import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * A file's SHA-256 from the chunks read to send it, in order: a chunk read ahead of its turn
 * (parallel streams) is held until then, within `maxHeldBytes`. What it did not see — chunks a
 * resumed upload skipped, chunks that did not fit — is read from the file at the end, from the
 * first chunk it lacks. So a file is read once, not once to send and once to hash.
 */
export class InOrderFileHash {
  private readonly hash = createHash('sha256');
  private nextChunk = 0;
  private readonly held = new Map<number, Uint8Array>();
  private heldBytes = 0;

  constructor(private readonly maxHeldBytes: number) {}

  /** A chunk as read from the file (once or more: later reads are ignored). */
  add(chunkNumber: number, data: Uint8Array): void {
    if (chunkNumber < this.nextChunk || this.held.has(chunkNumber)) return;
    if (chunkNumber > this.nextChunk) {
      if (this.heldBytes + data.length > this.maxHeldBytes) return;
      this.held.set(chunkNumber, data);
      this.heldBytes += data.length;
      return;
    }
    this.hash.update(data);
    this.nextChunk++;
    for (let next = this.held.get(this.nextChunk); next; next = this.held.get(this.nextChunk)) {
      this.held.delete(this.nextChunk);
      this.heldBytes -= next.length;
      this.hash.update(next);
      this.nextChunk++;
    }
  }

  /** The SHA-256 (hex) of the whole file, reading what was not added from `path`. */
  async digest(path: string, chunkBytes: number, totalBytes: number): Promise<string> {
    this.held.clear();
    this.heldBytes = 0;
    const start = Math.min(this.nextChunk * chunkBytes, totalBytes);
    if (start < totalBytes) {
      for await (const piece of createReadStream(path, { start, highWaterMark: 1024 * 1024 }))
        this.hash.update(piece as Buffer);
    }
    return this.hash.digest('hex');
  }
}
