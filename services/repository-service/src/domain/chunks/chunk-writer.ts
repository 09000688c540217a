import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { directPartNumber, storageForChunk } from '../completion/assembly-plan';
import { lifecycleEvent } from '../events/lifecycle-event';
import { chunkInProgress, closedUpload, conflictingChunk } from './chunk-refusals';
import { MultipartUploads } from './multipart-uploads';
import { stagingKeyOf } from './staged-objects';
import type { ChunkFeed, RunningFileHashes } from './running-file-hashes';
import type { UploadRecord, UploadStore } from '../ports/upload-store.port';

import { ChunkBatchWriter, type BatchChunk, type ChunkSettlement } from './chunk-batch-writer';
import {
  checkChunkHeader,
  type ChunkBody,
  type ChunkHeader,
  type ChunkWriteResult,
  type ChunkWriterOptions,
} from './chunk-header';

export type { ChunkBody, ChunkHeader, ChunkWriteResult, ChunkWriterOptions } from './chunk-header';
export type { BatchChunk, ChunkSettlement } from './chunk-batch-writer';

/** Where chunks are written: the ChunkWriter, or a decorator of it. */
export type ChunkSink = Pick<ChunkWriter, 'write' | 'writeBatch'>;

/** Counts and hashes bytes as they stream through, and feeds them to the file's running hash. */
class Fingerprint extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly feed: ChunkFeed | undefined) {
    super();
  }

  override _transform(
    data: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(data);
    this.feed?.update(data);
    this.bytes += data.length;
    done(null, data);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Stores one chunk durably: claims it, streams its bytes to S3 as a direct part or a staged object,
 * checks them against the header, and records it. Acknowledge the chunk only once write() resolved.
 */
export class ChunkWriter {
  private readonly multiparts: MultipartUploads;
  private readonly batches: ChunkBatchWriter;

  constructor(
    private readonly store: UploadStore,
    private readonly objects: ObjectStore,
    private readonly options: ChunkWriterOptions,
    /** When given, the whole file's SHA-256 is kept as chunks are stored (for CompleteUpload). */
    private readonly fileHashes?: RunningFileHashes,
  ) {
    this.multiparts = new MultipartUploads(store, objects);
    this.batches = new ChunkBatchWriter(store, objects, options, fileHashes);
  }

  /** Small chunks of one upload that arrived together, stored as one (chunk-batch-writer.ts). */
  writeBatch(chunks: BatchChunk[]): Promise<ChunkSettlement[]> {
    return this.batches.writeBatch(chunks);
  }

  async write(header: ChunkHeader, body: ChunkBody): Promise<ChunkWriteResult> {
    checkChunkHeader(header, this.options);
    const storage = storageForChunk(header.chunkNumber, header.size);
    const claim = await this.store.claimChunk(
      header.uploadId,
      { chunkNumber: header.chunkNumber, size: header.size, sha256: header.sha256, storage },
      { force: header.force, staleAfterMs: this.options.claimStaleAfterMs },
    );
    const where = `chunk ${header.chunkNumber} of upload ${header.uploadId}`;
    switch (claim.outcome) {
      case 'unknown-upload':
        throw closedUpload(header.uploadId);
      case 'not-accepting':
        throw closedUpload(header.uploadId, claim.state);
      case 'duplicate':
        await drain(body);
        return { chunkNumber: header.chunkNumber, sha256: header.sha256, duplicate: true };
      case 'conflict':
        throw conflictingChunk(where, 'stored', claim.existingSha256, header.sha256);
      case 'in-progress':
        throw chunkInProgress(where);
      case 'claimed':
        await this.storeClaimed(claim.upload, header, storage === 'direct-part', claim.token, body);
        return { chunkNumber: header.chunkNumber, sha256: header.sha256, duplicate: false };
    }
  }

  private async storeClaimed(
    upload: UploadRecord,
    header: ChunkHeader,
    direct: boolean,
    token: string,
    body: ChunkBody,
  ): Promise<void> {
    const where = `chunk ${header.chunkNumber} of upload ${header.uploadId}`;
    const feed = this.fileHashes?.feed(header.uploadId, header.chunkNumber);
    let recorded = false;
    try {
      const etag = await this.writeBytes(upload, header, direct, token, body, feed);
      const stored = lifecycleEvent.chunkUploaded(upload, header);
      recorded = await this.store.markChunkStored(header.uploadId, header.chunkNumber, token, etag, stored);
      if (!recorded) {
        throw new TesseraError(ErrorCode.Conflict, `${where} was taken over by another writer; retry`);
      }
    } finally {
      // The running file hash takes the chunk only once it is recorded as stored.
      if (recorded) feed?.stored(header.sha256);
      else feed?.dropped();
    }
    if (upload.state === 'INITIATED')
      await this.store.transition(header.uploadId, ['INITIATED'], 'IN_PROGRESS');
  }

  /**
   * Streams the bytes to S3 as a direct part or a staged object and checks them against the
   * header; its ETag. On any failure the claim is released.
   */
  private async writeBytes(
    upload: UploadRecord,
    header: ChunkHeader,
    direct: boolean,
    token: string,
    body: ChunkBody,
    feed: ChunkFeed | undefined,
  ): Promise<string> {
    const fingerprint = new Fingerprint(feed);
    // pipeline, not pipe: a body that fails midway (the sender's stream cut off) must fail the
    // write; with pipe its error would be an unhandled 'error' event, which ends the process.
    const counted = pipeline(Readable.from(body), fingerprint, () => undefined);
    try {
      const { etag } = direct
        ? await this.objects.uploadPart(
            await this.multiparts.of(upload),
            directPartNumber(header.chunkNumber),
            counted,
            header.size,
          )
        : await this.objects.putObject(
            stagingKeyOf(this.options.stagingPrefix, upload.uploadId, header.chunkNumber),
            counted,
            header.size,
          );
      const sha256 = fingerprint.digest();
      if (fingerprint.bytes !== header.size || sha256 !== header.sha256) {
        throw new TesseraError(
          ErrorCode.DataLoss,
          `chunk ${header.chunkNumber} of upload ${header.uploadId}: received ${fingerprint.bytes} bytes with sha256 ${sha256}, announced ${header.size} bytes with sha256 ${header.sha256}`,
        );
      }
      return etag;
    } catch (error) {
      // A request S3 left hanging was cut (S3_IDLE_TIMEOUT_MS) with bytes still unread: let the
      // body go, so its sender's stream is not held open for nothing.
      counted.destroy();
      await this.store.releaseClaim(header.uploadId, header.chunkNumber, token);
      throw error;
    }
  }
}

/** Reads a duplicate's bytes to the end without storing them, so the stream can go on. */
async function drain(body: ChunkBody): Promise<void> {
  for await (const _data of body) {
    // discarded
  }
}
