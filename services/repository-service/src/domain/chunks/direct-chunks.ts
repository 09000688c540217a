import { ErrorCode, isTesseraError, TesseraError } from '@tessera/errors';
import type { DirectPartStore } from '@tessera/object-storage';
import { directPartNumber, S3_PART_RULES, type PartRules } from '../completion/assembly-plan';
import { lifecycleEvent } from '../events/lifecycle-event';
import { chunkInProgress, closedUpload, conflictingChunk } from './chunk-refusals';
import type { MultipartUploads } from './multipart-uploads';
import type {
  ChunkPlan,
  DirectChunkObserver,
  DirectChunkStore,
  PlannedChunk,
} from '../ports/direct-chunk-store.port';
import {
  ACCEPTING_STATES,
  type StoredChunkRecord,
  type UploadRecord,
  type UploadStore,
} from '../ports/upload-store.port';

export interface PresignRequest {
  uploadId: string;
  chunks: PlannedChunk[];
  /** The upload's chunk count, when the client knows it: only its last chunk may be under 5 MiB. */
  totalChunks: number | undefined;
  /** Plan over other bytes stored or planned under a chunk number. */
  force: boolean;
  /** How long the URLs are valid; the default when undefined. */
  ttlSeconds: number | undefined;
}

export type PresignedChunk =
  | { chunkNumber: number; stored: true }
  | {
      chunkNumber: number;
      stored: false;
      partNumber: number;
      url: string;
      headers: Record<string, string>;
      expiresAt: Date;
    };

export interface DirectChunkOptions {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  maxChunksPerCall: number;
  rules?: PartRules;
  observer?: DirectChunkObserver;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Chunks a client writes straight to S3 (docs/design/direct-transfers.md): each is planned, then
 * handed out as a presigned UploadPart URL bound to its SHA-256, and counts as stored once S3 lists
 * its part with that SHA-256 (reconcile). Everything after — the assembly, the version, the events —
 * is the same as for streamed chunks.
 */
export class DirectChunks {
  private readonly rules: PartRules;

  constructor(
    private readonly planned: DirectChunkStore,
    private readonly uploads: Pick<UploadStore, 'findUpload' | 'transition'>,
    private readonly parts: DirectPartStore,
    private readonly multiparts: MultipartUploads,
    private readonly options: DirectChunkOptions,
  ) {
    this.rules = options.rules ?? S3_PART_RULES;
  }

  async presign(request: PresignRequest): Promise<PresignedChunk[]> {
    const ttlSeconds = this.validate(request);
    const { uploadId, chunks } = request;
    const plan = await this.planned.planChunks(uploadId, chunks, { force: request.force });
    if (plan.outcome === 'unknown-upload') throw closedUpload(uploadId);
    if (plan.outcome === 'not-accepting') throw closedUpload(uploadId, plan.state);
    chunks.forEach((chunk, index) => refuseUnplanned(uploadId, chunk, plan.chunks[index]!, index));
    const target = plan.chunks.some((chunk) => chunk.outcome === 'planned')
      ? await this.multiparts.of(plan.upload)
      : undefined;
    const presigned = await Promise.all(
      chunks.map(async (chunk, index): Promise<PresignedChunk> => {
        if (plan.chunks[index]!.outcome === 'stored') return { chunkNumber: chunk.chunkNumber, stored: true };
        const partNumber = directPartNumber(chunk.chunkNumber);
        const part = await this.parts.presignUploadPart(target!, partNumber, chunk.sha256, ttlSeconds);
        return { chunkNumber: chunk.chunkNumber, stored: false, ...part };
      }),
    );
    this.options.observer?.urlsIssued(presigned.filter((chunk) => !chunk.stored).length);
    return presigned;
  }

  /**
   * Records the planned chunks S3 now holds with their planned bytes; how many it recorded. Only
   * while the upload accepts chunks: once it completes or is aborted its multipart upload is gone,
   * and a planned chunk never sent stays what it is, unstored.
   */
  async reconcile(uploadId: string): Promise<number> {
    const planned = await this.planned.listPlannedChunks(uploadId);
    if (planned.length === 0) return 0;
    const upload = await this.uploads.findUpload(uploadId);
    if (!upload || !ACCEPTING_STATES.includes(upload.state) || !upload.multipartUploadId) return 0;
    const listed = await this.parts
      .listParts({ key: upload.objectKey, uploadId: upload.multipartUploadId })
      // Completed or aborted since it was read: nothing is left to record.
      .catch((error: unknown) => {
        if (isTesseraError(error) && error.code === ErrorCode.NotFound) return [];
        throw error;
      });
    const byNumber = new Map(listed.map((part) => [part.partNumber, part]));
    const held = planned.flatMap((chunk) => {
      const part = byNumber.get(directPartNumber(chunk.chunkNumber));
      if (!part || part.sha256 !== chunk.sha256 || part.size !== chunk.size) return [];
      return [{ chunk, etag: part.etag, stored: lifecycleEvent.chunkUploaded(upload, chunk) }];
    });
    const recorded = await this.planned.markPlannedChunksStored(uploadId, held);
    const bytes = recorded.reduce((total, chunk) => total + chunk.size, 0);
    if (recorded.length > 0) this.options.observer?.partsRecorded(recorded.length, bytes);
    if (recorded.length > 0 && upload.state === 'INITIATED')
      await this.uploads.transition(uploadId, ['INITIATED'], 'IN_PROGRESS');
    return recorded.length;
  }

  async forgetOverwrittenParts(upload: UploadRecord, chunks: StoredChunkRecord[]): Promise<number[]> {
    if (!upload.multipartUploadId) return [];
    const listed = await this.parts.listParts({ key: upload.objectKey, uploadId: upload.multipartUploadId });
    const etags = new Map(listed.map((part) => [part.partNumber, bareEtag(part.etag)]));
    const overwritten = chunks
      .filter(
        (chunk) => chunk.storage === 'direct-part' && etags.get(chunk.partNumber!) !== bareEtag(chunk.etag),
      )
      .map((chunk) => chunk.chunkNumber);
    await this.planned.forgetStoredChunks(upload.uploadId, overwritten);
    return overwritten;
  }

  /** Checks the request against S3's part rules, each field by its API name; the URLs' TTL. */
  private validate(request: PresignRequest): number {
    const { chunks, totalChunks } = request;
    const { maxChunksPerCall, defaultTtlSeconds, maxTtlSeconds } = this.options;
    if (chunks.length === 0 || chunks.length > maxChunksPerCall)
      throw TesseraError.invalidArgument('chunks', `must list 1 to ${maxChunksPerCall} chunks`);
    if (totalChunks !== undefined && !isIntegerIn(totalChunks, 1, this.rules.maxParts))
      throw TesseraError.invalidArgument('total_chunks', `must be between 1 and ${this.rules.maxParts}`);
    const seen = new Set<number>();
    chunks.forEach((chunk, index) => {
      this.validateChunk(chunk, `chunks[${index}]`, totalChunks);
      if (seen.has(chunk.chunkNumber))
        throw TesseraError.invalidArgument(`chunks[${index}].chunk_number`, 'is listed twice');
      seen.add(chunk.chunkNumber);
    });
    const ttl = request.ttlSeconds ?? defaultTtlSeconds;
    if (!isIntegerIn(ttl, 1, maxTtlSeconds))
      throw TesseraError.invalidArgument('ttl_seconds', `must be between 1 and ${maxTtlSeconds}`);
    return ttl;
  }

  private validateChunk(chunk: PlannedChunk, field: string, totalChunks: number | undefined): void {
    const lastNumber = (totalChunks ?? this.rules.maxParts) - 1;
    if (!isIntegerIn(chunk.chunkNumber, 0, lastNumber))
      throw TesseraError.invalidArgument(`${field}.chunk_number`, `must be between 0 and ${lastNumber}`);
    if (!isIntegerIn(chunk.size, 1, this.rules.maxPartBytes))
      throw TesseraError.invalidArgument(
        `${field}.size`,
        `must be between 1 and ${this.rules.maxPartBytes} bytes`,
      );
    const declaredLast = totalChunks !== undefined && chunk.chunkNumber === totalChunks - 1;
    if (chunk.size < this.rules.minPartBytes && !declaredLast) {
      throw TesseraError.invalidArgument(
        `${field}.size`,
        `must be at least ${this.rules.minPartBytes} bytes (S3's smallest part) unless it is the last chunk of total_chunks`,
      );
    }
    if (!SHA256_HEX.test(chunk.sha256))
      throw TesseraError.invalidArgument(`${field}.sha256`, 'must be 64 lower-case hex characters');
  }
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Throws for a chunk another writer holds or other bytes hold (nothing of the batch was planned). */
function refuseUnplanned(uploadId: string, chunk: PlannedChunk, plan: ChunkPlan, index: number): void {
  const where = `chunk ${chunk.chunkNumber} of upload ${uploadId}`;
  if (plan.outcome === 'misplaced')
    throw TesseraError.invalidArgument(`chunks[${index}].chunk_number`, `${chunk.chunkNumber} ${plan.why}`);
  if (plan.outcome === 'in-progress') throw chunkInProgress(where);
  if (plan.outcome === 'conflict')
    throw conflictingChunk(where, 'stored or planned', plan.existingSha256, chunk.sha256);
}

/** An ETag without the quotes S3 may or may not put around it. */
function bareEtag(etag: string): string {
  return etag.replaceAll('"', '');
}
