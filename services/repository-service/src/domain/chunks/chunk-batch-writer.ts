import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { lifecycleEvent } from '../events/lifecycle-event';
import type { BatchChunkClaim, UploadRecord, UploadStore } from '../ports/upload-store.port';
import {
  checkChunkHeader,
  type ChunkHeader,
  type ChunkWriteResult,
  type ChunkWriterOptions,
} from './chunk-header';
import { chunkInProgress, closedUpload, conflictingChunk } from './chunk-refusals';
import type { RunningFileHashes } from './running-file-hashes';
import { batchObjectName, stagingKeyOf } from './staged-objects';

/** A small chunk of a batch, its bytes whole in memory (relayed in one message). */
export interface BatchChunk {
  header: ChunkHeader;
  data: Uint8Array;
}

/** What became of each chunk of a batch, in the batch's order. */
export type ChunkSettlement = PromiseSettledResult<ChunkWriteResult>;

const fulfilled = (value: ChunkWriteResult): ChunkSettlement => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): ChunkSettlement => ({ status: 'rejected', reason });

/**
 * Group commit (docs/upload.md): small chunks of one upload that arrived together are claimed in
 * one transaction, staged as one S3 object and recorded, with their events, in one transaction.
 * Each chunk is settled as it would have been alone; none is acknowledged before the record
 * committed. Callers pass chunks that would each be staged (below S3's part minimum) and not forced.
 */
export class ChunkBatchWriter {
  constructor(
    private readonly store: UploadStore,
    private readonly objects: ObjectStore,
    private readonly options: ChunkWriterOptions,
    private readonly fileHashes?: RunningFileHashes,
  ) {}

  async writeBatch(chunks: BatchChunk[]): Promise<ChunkSettlement[]> {
    const settled: ChunkSettlement[] = chunks.map(
      (chunk) => this.refusalOf(chunk) ?? fulfilled(resultOf(chunk)),
    );
    const candidates = chunks.filter((_chunk, k) => settled[k]!.status === 'fulfilled');
    if (candidates.length === 0) return settled;
    const uploadId = candidates[0]!.header.uploadId;
    const claim = await this.store.claimChunks(
      uploadId,
      candidates.map(({ header }) => ({ ...header, storage: 'staged' as const })),
      { force: false, staleAfterMs: this.options.claimStaleAfterMs },
    );
    if (claim.outcome !== 'claimed') {
      const refusal = closedUpload(uploadId, claim.outcome === 'not-accepting' ? claim.state : undefined);
      return settled.map((settlement) =>
        settlement.status === 'fulfilled' ? rejected(refusal) : settlement,
      );
    }
    const outcomes = new Map(candidates.map((chunk, k) => [chunk, claim.chunks[k]!]));
    const claimed = candidates.filter((chunk) => outcomes.get(chunk)!.outcome === 'claimed');
    const staged = await this.stage(claim.upload, claim.token, claimed).then(
      (recorded) => ({ recorded, failure: undefined }),
      (failure: unknown) => ({ recorded: new Set<number>(), failure }),
    );
    return chunks.map((chunk, k) => {
      const outcome = outcomes.get(chunk);
      if (!outcome) return settled[k]!;
      if (outcome.outcome !== 'claimed') return claimRefusalOf(chunk, outcome);
      if (staged.failure !== undefined) return rejected(staged.failure);
      return staged.recorded.has(chunk.header.chunkNumber)
        ? fulfilled(resultOf(chunk))
        : rejected(takenOver(chunk.header));
    });
  }

  /**
   * Writes the claimed chunks as one staged object and records them; the chunk numbers recorded.
   * Releases the claims when the object cannot be written.
   */
  private async stage(upload: UploadRecord, token: string, claimed: BatchChunk[]): Promise<Set<number>> {
    if (claimed.length === 0) return new Set();
    const { uploadId } = upload;
    const numbers = claimed.map((chunk) => chunk.header.chunkNumber);
    const object = batchObjectName(numbers[0]!, numbers.at(-1)!, token);
    const size = claimed.reduce((sum, chunk) => sum + chunk.data.length, 0);
    let etag: string;
    try {
      const key = stagingKeyOf(this.options.stagingPrefix, uploadId, object);
      ({ etag } = await this.objects.putObject(key, Readable.from(claimed.map((chunk) => chunk.data)), size));
    } catch (error) {
      await this.store.releaseBatchClaims(uploadId, token, numbers);
      throw error;
    }
    let offset = 0;
    const placed = claimed.map(({ header, data }) => {
      const stored = lifecycleEvent.chunkUploaded(upload, header);
      offset += data.length;
      return { chunkNumber: header.chunkNumber, offset: offset - data.length, stored };
    });
    const recorded = new Set(
      await this.store.markBatchStored(uploadId, { token, object, etag, chunks: placed }),
    );
    claimed
      .filter((chunk) => recorded.has(chunk.header.chunkNumber))
      .forEach((chunk) => this.feedFileHash(chunk));
    if (recorded.size > 0 && upload.state === 'INITIATED')
      await this.store.transition(uploadId, ['INITIATED'], 'IN_PROGRESS');
    return recorded;
  }

  /** The running file hash takes a chunk once it is recorded, in chunk order (running-file-hashes.ts). */
  private feedFileHash({ header, data }: BatchChunk): void {
    const feed = this.fileHashes?.feed(header.uploadId, header.chunkNumber);
    feed?.update(data);
    feed?.stored(header.sha256);
  }

  /** A chunk refused before any claim: out of limits, or its bytes are not what the header says. */
  private refusalOf({ header, data }: BatchChunk): ChunkSettlement | undefined {
    try {
      checkChunkHeader(header, this.options);
    } catch (error) {
      return rejected(error);
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (data.length === header.size && sha256 === header.sha256) return undefined;
    return rejected(
      new TesseraError(
        ErrorCode.DataLoss,
        `chunk ${header.chunkNumber} of upload ${header.uploadId}: received ${data.length} bytes with sha256 ${sha256}, announced ${header.size} bytes with sha256 ${header.sha256}`,
      ),
    );
  }
}

function resultOf({ header }: BatchChunk): ChunkWriteResult {
  return { chunkNumber: header.chunkNumber, sha256: header.sha256, duplicate: false };
}

function claimRefusalOf(chunk: BatchChunk, outcome: BatchChunkClaim): ChunkSettlement {
  const { header } = chunk;
  const where = `chunk ${header.chunkNumber} of upload ${header.uploadId}`;
  switch (outcome.outcome) {
    case 'duplicate':
      return fulfilled({ ...resultOf(chunk), duplicate: true });
    case 'in-progress':
      return rejected(chunkInProgress(where));
    case 'conflict':
      return rejected(conflictingChunk(where, 'stored', outcome.existingSha256, header.sha256));
    case 'claimed':
      throw new Error(`${where} is claimed: not a refusal`);
  }
}

function takenOver(header: ChunkHeader): TesseraError {
  return new TesseraError(
    ErrorCode.Conflict,
    `chunk ${header.chunkNumber} of upload ${header.uploadId} was taken over by another writer; retry`,
  );
}
