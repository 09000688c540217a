import { ErrorCode, isConnectionFailure, isTesseraError, TesseraError } from '@tessera/errors';
import { isPartMismatch, type ObjectStore } from '@tessera/object-storage';
import { announceVersion } from '../events/announce-version';
import { findAssembledObject } from './assembled-object-finder';
import { partSha256Of, planAssembly, type AssemblyPlan } from './assembly-plan';
import { missingRanges, toRanges, type ChunkNumberRange } from '../chunks/chunk-ranges';
import type { NodeChangeListener } from '../ports/node-change.port';
import type { NodeStore, NodeVersion } from '../ports/node-store.port';
import { lifecycleEvent } from '../events/lifecycle-event';
import type { AssembledObject, ObjectAssembler } from './object-assembler';
import { FileChecksums } from './file-checksum';
import type { RunningFileHashes } from '../chunks/running-file-hashes';
import type { DirectChunkReconciler } from '../ports/direct-chunk-store.port';
import type {
  CompletionRequest,
  StoredChunkRecord,
  UploadRecord,
  UploadStore,
} from '../ports/upload-store.port';

export interface CompleteRequest extends CompletionRequest {
  uploadId: string;
}

function describeRanges(ranges: ChunkNumberRange[]): string {
  return ranges.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(', ');
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** S3 or TiDB out of reach for now: the completion stays COMPLETING and recovery finishes it. */
function isTransient(error: unknown): boolean {
  return isConnectionFailure(error) || (isTesseraError(error) && error.code === ErrorCode.Unavailable);
}

/** A completion finished; foundAssembled: the object a dead instance had assembled was recorded. */
export interface Recovered {
  node: NodeVersion;
  foundAssembled: boolean;
}

/** The object to record, and its SHA-256 when it is known already. */
type Assembly = AssembledObject & { sha256?: string; adopted?: boolean };

/**
 * CompleteUpload: checks that chunks 0..N-1 are all there, assembles them into one object, hashes
 * it, and records the node version. Asking again once it completed gives the same version; asking
 * while another call completes it is refused for now (UNAVAILABLE). A completion whose instance died
 * is finished by recover() on another (or the restarted) instance.
 */
export class UploadCompleter {
  /** Calls of this instance under way per upload (from before COMPLETING): recovery leaves them alone. */
  private readonly completing = new Map<string, number>();
  private readonly checksums: FileChecksums;

  constructor(
    private readonly uploads: UploadStore,
    private readonly nodes: NodeStore,
    private readonly objects: ObjectStore,
    private readonly assembler: ObjectAssembler,
    private readonly changes: NodeChangeListener,
    /** Whole-file hashes kept while chunks were stored here: only the rest is read back. */
    fileHashes?: RunningFileHashes,
    /** Records the client-written chunks S3 now holds before completing. */
    private readonly directChunks?: DirectChunkReconciler,
  ) {
    this.checksums = new FileChecksums(objects, fileHashes);
  }

  async complete(request: CompleteRequest): Promise<NodeVersion> {
    if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(request.sha256)) {
      throw TesseraError.invalidArgument('sha256', 'must be 64 lower-case hex characters');
    }
    await this.directChunks?.reconcile(request.uploadId);
    return this.holding(request.uploadId, async () => {
      const completed = await this.begin(request);
      if (completed) return completed;
      const upload = (await this.uploads.findUpload(request.uploadId))!;
      return (await this.assembleAndRecord(upload, request, false)).node;
    });
  }

  /**
   * Finishes a completion whose instance is gone: uses the object it had assembled when its bytes
   * are the chunks', assembles again otherwise. Undefined when another instance adopted it first.
   */
  async recover(uploadId: string): Promise<Recovered | undefined> {
    if (this.isCompleting(uploadId)) return undefined;
    return this.holding(uploadId, async () => {
      const upload = await this.uploads.adoptCompletion(uploadId);
      if (!upload) return undefined;
      return this.assembleAndRecord(upload, upload.completion, true);
    });
  }

  isCompleting(uploadId: string): boolean {
    return this.completing.has(uploadId);
  }

  private async holding<T>(uploadId: string, run: () => Promise<T>): Promise<T> {
    this.completing.set(uploadId, (this.completing.get(uploadId) ?? 0) + 1);
    try {
      return await run();
    } finally {
      const left = this.completing.get(uploadId)! - 1;
      if (left === 0) this.completing.delete(uploadId);
      else this.completing.set(uploadId, left);
    }
  }

  private async assembleAndRecord(
    upload: UploadRecord,
    request: CompletionRequest,
    recovering: boolean,
  ): Promise<Recovered> {
    const chunks = await this.completeChunkList(upload, request.totalChunks);
    let assembled: Assembly | undefined;
    let node: NodeVersion;
    try {
      const plan = planAssembly(chunks);
      assembled = (recovering && (await this.adoptAssembled(upload, chunks, plan))) || undefined;
      assembled ??= await this.assembler.assemble(upload, chunks, plan);
      const { sha256, verifiedBy } = await this.checksums.of(upload.uploadId, assembled, chunks, request);
      if (request.sha256 !== undefined && request.sha256 !== sha256) {
        throw new TesseraError(
          ErrorCode.DataLoss,
          `upload ${upload.uploadId}: the assembled file has sha256 ${sha256}, the client expected ${request.sha256}`,
        );
      }
      const recorded = await this.nodes.recordCompletion(
        {
          nodeId: upload.nodeId,
          driveId: upload.driveId,
          name: upload.name,
          size: assembled.size,
          sha256,
          sha256VerifiedBy: verifiedBy,
          mimeType: upload.mimeType,
          userMetadata: upload.userMetadata,
          bucket: this.objects.bucket,
          objectKey: assembled.key,
          objectVersionId: assembled.versionId,
          etag: assembled.etag,
          partSizes: assembled.partSizes,
          partSha256: partSha256Of(plan, chunks),
          uploadId: upload.uploadId,
        },
        upload.expectedVersion,
        lifecycleEvent.uploadCompleted,
      );
      if (!recorded)
        throw new TesseraError(ErrorCode.Conflict, `upload ${upload.uploadId} is no longer completing`);
      node = recorded;
    } catch (error) {
      // Left COMPLETING with what it assembled, for recovery to finish once S3 and TiDB answer.
      if (isTransient(error)) throw error;
      await this.reopenIfPartsOverwritten(upload, chunks, error);
      // The multipart upload may already be consumed: this upload cannot be completed again.
      const failed = lifecycleEvent.uploadFailed(upload, reasonOf(error));
      await this.uploads.transition(upload.uploadId, ['COMPLETING'], 'FAILED', failed);
      if (assembled && !assembled.adopted) await this.discard(assembled);
      throw error;
    }
    await announceVersion(this.changes, node);
    return { node, foundAssembled: assembled.adopted === true };
  }

  /**
   * S3 refused the completion because a part holds other bytes than recorded: a presigned URL was
   * used after its chunk was replaced (force, or a streamed chunk). Those chunks count as missing
   * again and the upload accepts chunks, so the client sends them again; nothing is lost.
   */
  private async reopenIfPartsOverwritten(
    upload: UploadRecord,
    chunks: StoredChunkRecord[],
    error: unknown,
  ): Promise<void> {
    if (!isPartMismatch(error) || !this.directChunks) return;
    const overwritten = await this.directChunks.forgetOverwrittenParts(upload, chunks);
    if (overwritten.length === 0) return;
    await this.uploads.transition(upload.uploadId, ['COMPLETING'], 'IN_PROGRESS');
    throw new TesseraError(
      ErrorCode.FailedPrecondition,
      `upload ${upload.uploadId}: S3 holds other bytes than were stored for chunks ${describeRanges(toRanges(overwritten))} (a presigned URL was used after its chunk was replaced); send them again`,
    );
  }

  /**
   * Removes an object assembled for a completion that failed. In a versioned bucket that is its own
   * version, so the version readers get stays current; in an unversioned one the key template
   * names the upload (checked at boot), so the key is this upload's alone.
   */
  private async discard(assembled: AssembledObject): Promise<void> {
    await this.objects
      .deleteObjects([
        assembled.versionId ? { key: assembled.key, versionId: assembled.versionId } : assembled.key,
      ])
      .catch(() => undefined);
  }

  /**
   * An object a dead instance assembled: not this completion's own, so never discarded by it. Its
   * multipart upload and staged chunks are left over, and cleaned up here as far as they exist.
   */
  private async adoptAssembled(
    upload: UploadRecord,
    chunks: StoredChunkRecord[],
    plan: AssemblyPlan,
  ): Promise<Assembly | undefined> {
    const found = await findAssembledObject(this.objects, upload, chunks, plan);
    if (!found) return undefined;
    await this.assembler.discardLeftovers(upload);
    return { ...found, adopted: true };
  }

  /** Moves the upload to COMPLETING; the recorded version when it completed already. */
  private async begin(request: CompleteRequest): Promise<NodeVersion | undefined> {
    const { uploadId } = request;
    const started = await this.uploads.beginCompletion(uploadId, request);
    switch (started.outcome) {
      case 'started':
        return undefined;
      case 'unknown-upload':
        throw TesseraError.notFound('upload', uploadId);
      case 'not-accepting':
        if (started.state === 'COMPLETED') return this.completedBefore(request);
        if (started.state === 'COMPLETING') {
          throw new TesseraError(
            ErrorCode.Unavailable,
            `upload ${uploadId} is being completed by an earlier CompleteUpload; retry for its result`,
            { retryAfterSeconds: 1 },
          );
        }
        throw new TesseraError(
          ErrorCode.FailedPrecondition,
          `upload ${uploadId} is ${started.state}: it cannot be completed now`,
        );
      case 'chunks-in-flight':
        throw new TesseraError(
          ErrorCode.Unavailable,
          `upload ${uploadId}: chunks ${describeRanges(toRanges(started.chunkNumbers))} are still being written; retry`,
          { retryAfterSeconds: 1 },
        );
    }
  }

  /** A retried CompleteUpload (its answer was lost) gets the version recorded the first time. */
  private async completedBefore(request: CompleteRequest): Promise<NodeVersion> {
    const node = await this.nodes.findVersionOfUpload(request.uploadId);
    if (!node) {
      throw new TesseraError(
        ErrorCode.FailedPrecondition,
        `upload ${request.uploadId} completed, but its node version was deleted since`,
      );
    }
    if (request.sha256 !== undefined && request.sha256 !== node.sha256) {
      throw new TesseraError(
        ErrorCode.FailedPrecondition,
        `upload ${request.uploadId} completed with sha256 ${node.sha256}, not the sha256 ${request.sha256} asked for`,
      );
    }
    // The first answer may have been UNAVAILABLE because the cache could not be refreshed then.
    await announceVersion(this.changes, node);
    return node;
  }

  /** Chunks 0..N-1, or back to IN_PROGRESS with FAILED_PRECONDITION naming what is missing. */
  private async completeChunkList(
    upload: UploadRecord,
    totalChunks: number | undefined,
  ): Promise<StoredChunkRecord[]> {
    const stored = await this.uploads.listStoredChunks(upload.uploadId);
    const count = totalChunks ?? (stored.length === 0 ? 0 : stored[stored.length - 1]!.chunkNumber + 1);
    const problems: string[] = [];
    const received = toRanges(stored.map((c) => c.chunkNumber).filter((n) => n < count));
    const missing = missingRanges(received);
    const highest = received.at(-1)?.last ?? -1;
    if (highest < count - 1) missing.push({ first: highest + 1, last: count - 1 });
    if (missing.length > 0) problems.push(`missing chunks ${describeRanges(missing)}`);
    const extra = stored.filter((c) => c.chunkNumber >= count).map((c) => c.chunkNumber);
    if (extra.length > 0)
      problems.push(`chunks ${describeRanges(toRanges(extra))} are beyond total_chunks ${count}`);
    if (problems.length > 0) {
      await this.uploads.transition(
        upload.uploadId,
        ['COMPLETING'],
        stored.length > 0 ? 'IN_PROGRESS' : 'INITIATED',
      );
      throw new TesseraError(
        ErrorCode.FailedPrecondition,
        `upload ${upload.uploadId}: ${problems.join('; ')}`,
      );
    }
    return stored;
  }
}
