import { createHash, type Hash } from 'node:crypto';

export interface RunningFileHashesOptions {
  /**
   * Bytes of chunks that were stored ahead of their turn (parallel streams), held across all
   * uploads until the chunks before them are hashed. A chunk that does not fit is not held: the
   * completion then reads the file back from that chunk on. 0 holds none.
   */
  maxHeldBytes: number;
  /** Uploads followed at once; beyond it the least recently fed is forgotten. */
  maxUploads: number;
}

/** The SHA-256 state after the file's first `chunks` chunks, for a completion to go on from. */
export interface HashedPrefix {
  hash: Hash;
  chunks: number;
}

/** One chunk's bytes as they stream to S3; settle with stored() once it is recorded, else dropped(). */
export interface ChunkFeed {
  update(data: Uint8Array): void;
  stored(sha256: string): void;
  dropped(): void;
}

interface HeldChunk {
  pieces: Uint8Array[];
  bytes: number;
  sha256: string;
}

interface UploadHash {
  /** SHA-256 of chunks 0..fed.length-1, in order. */
  hash: Hash;
  /** Each hashed chunk's own SHA-256, to check against the chunks a completion lists. */
  fed: string[];
  /** The chunk hashed live as it streams, if any. */
  live: number | undefined;
  held: Map<number, HeldChunk>;
  /** A chunk stored without being hashed or held: no chunk after it can be hashed here. */
  gap: number | undefined;
}

const IGNORED: ChunkFeed = { update: () => undefined, stored: () => undefined, dropped: () => undefined };

/**
 * The whole-file SHA-256 of each upload, kept while its chunks are stored, so CompleteUpload need not
 * read the assembled object back to hash it. Chunks are hashed in order: the next one as it streams,
 * later ones held in memory (within a budget) until their turn. What this instance did not see —
 * chunks written by another instance, or not held — the completion reads back from S3.
 */
export class RunningFileHashes {
  private readonly uploads = new Map<string, UploadHash>();
  private heldTotal = 0;

  constructor(private readonly options: RunningFileHashesOptions) {}

  /** Feeds a chunk being written; chunks written again after they were hashed end the upload's hash. */
  feed(uploadId: string, chunkNumber: number): ChunkFeed {
    const upload = this.touch(uploadId);
    if (chunkNumber < upload.fed.length || upload.live === chunkNumber) {
      this.forget(uploadId); // replaced bytes (force): what was hashed is no longer the file
      return IGNORED;
    }
    if (chunkNumber === upload.fed.length && upload.live === undefined)
      return this.liveFeed(uploadId, upload);
    if (upload.gap !== undefined && chunkNumber > upload.gap) return IGNORED;
    return this.holdingFeed(uploadId, upload, chunkNumber);
  }

  /**
   * Takes the upload's running hash for its completion, when what it hashed is the start of these
   * chunks (chunk i at index i); the upload is no longer followed either way.
   */
  take(uploadId: string, chunks: { sha256: string }[]): HashedPrefix | undefined {
    const upload = this.uploads.get(uploadId);
    if (!upload) return undefined;
    this.forget(uploadId);
    const hashed = upload.fed.length;
    if (hashed === 0 || hashed > chunks.length) return undefined;
    if (upload.fed.some((sha256, index) => chunks[index]!.sha256 !== sha256)) return undefined;
    return { hash: upload.hash, chunks: hashed };
  }

  forget(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    this.uploads.delete(uploadId);
    for (const chunk of upload.held.values()) this.heldTotal -= chunk.bytes;
  }

  /** Bytes held for chunks waiting for their turn, over all uploads. */
  get heldBytes(): number {
    return this.heldTotal;
  }

  private liveFeed(uploadId: string, upload: UploadHash): ChunkFeed {
    const chunkNumber = upload.fed.length;
    const candidate = upload.hash.copy();
    upload.live = chunkNumber;
    return {
      update: (data) => candidate.update(data),
      stored: (sha256) => {
        if (upload.live === chunkNumber) upload.live = undefined;
        if (this.uploads.get(uploadId) !== upload || upload.fed.length !== chunkNumber) return;
        upload.hash = candidate;
        upload.fed.push(sha256);
        this.hashHeld(upload);
      },
      dropped: () => {
        if (upload.live === chunkNumber) upload.live = undefined;
      },
    };
  }

  private holdingFeed(uploadId: string, upload: UploadHash, chunkNumber: number): ChunkFeed {
    const pieces: Uint8Array[] = [];
    let bytes = 0;
    let overflowed = false;
    const release = () => {
      this.heldTotal -= bytes;
      pieces.length = 0;
      bytes = 0;
    };
    return {
      update: (data) => {
        if (overflowed) return;
        if (this.heldTotal + data.length > this.options.maxHeldBytes) {
          overflowed = true;
          release();
          return;
        }
        pieces.push(data);
        bytes += data.length;
        this.heldTotal += data.length;
      },
      stored: (sha256) => {
        if (this.uploads.get(uploadId) !== upload || chunkNumber < upload.fed.length) {
          release();
          return;
        }
        if (overflowed) {
          this.leaveGap(upload, chunkNumber);
          return;
        }
        const earlier = upload.held.get(chunkNumber);
        if (earlier) this.heldTotal -= earlier.bytes;
        upload.held.set(chunkNumber, { pieces, bytes, sha256 });
        this.hashHeld(upload);
      },
      dropped: release,
    };
  }

  /** Chunks after an unhashable one will never have their turn: they are not held any longer. */
  private leaveGap(upload: UploadHash, chunkNumber: number): void {
    upload.gap = Math.min(upload.gap ?? chunkNumber, chunkNumber);
    for (const [later, chunk] of upload.held) {
      if (later <= upload.gap) continue;
      upload.held.delete(later);
      this.heldTotal -= chunk.bytes;
    }
  }

  /** Hashes the held chunks whose turn has come. */
  private hashHeld(upload: UploadHash): void {
    for (let next = upload.held.get(upload.fed.length); next; next = upload.held.get(upload.fed.length)) {
      upload.held.delete(upload.fed.length);
      for (const piece of next.pieces) upload.hash.update(piece);
      upload.fed.push(next.sha256);
      this.heldTotal -= next.bytes;
    }
  }

  /** The upload's state, created on first sight, as the most recently used. */
  private touch(uploadId: string): UploadHash {
    let upload = this.uploads.get(uploadId);
    if (upload) this.uploads.delete(uploadId);
    else upload = { hash: createHash('sha256'), fed: [], live: undefined, held: new Map(), gap: undefined };
    this.uploads.set(uploadId, upload);
    while (this.uploads.size > this.options.maxUploads) this.forget(this.uploads.keys().next().value!);
    return upload;
  }
}
