import { createHash } from 'node:crypto';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { planAssembly } from './assembly-plan';
import { missingRanges, toRanges, type ChunkNumberRange } from './chunk-ranges';
import type { NodeChangeListener } from './node-change.port';
import type { NodeStore, NodeVersion } from './node-store.port';
import { lifecycleEvent } from './lifecycle-event';
import type { AssembledObject, ObjectAssembler } from './object-assembler';
import type { StoredChunkRecord, UploadRecord, UploadStore } from './upload-store.port';

export interface CompleteRequest {
  uploadId: string;
  /** When set, exactly chunks 0..totalChunks-1 must have been received. */
  totalChunks: number | undefined;
  /** When set, the assembled file must have this SHA-256 (lower-case hex). */
  sha256: string | undefined;
}

function describeRanges(ranges: ChunkNumberRange[]): string {
  return ranges.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(', ');
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * CompleteUpload: checks that chunks 0..N-1 are all there, assembles them into one object, hashes
 * it, and records the node version. Two concurrent calls give one completion; the other is refused.
 */
export class UploadCompleter {
  constructor(
    private readonly uploads: UploadStore,
    private readonly nodes: NodeStore,
    private readonly objects: ObjectStore,
    private readonly assembler: ObjectAssembler,
    private readonly changes: NodeChangeListener,
  ) {}

  async complete(request: CompleteRequest): Promise<NodeVersion> {
    if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(request.sha256)) {
      throw TesseraError.invalidArgument('sha256', 'must be 64 lower-case hex characters');
    }
    await this.begin(request.uploadId);
    const upload = (await this.uploads.findUpload(request.uploadId))!;
    const chunks = await this.completeChunkList(upload, request.totalChunks);
    let assembled: AssembledObject | undefined;
    let node: NodeVersion;
    try {
      assembled = await this.assembler.assemble(upload, chunks, planAssembly(chunks));
      const sha256 = await this.hashObject(assembled.key, assembled.size, assembled.versionId);
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
          mimeType: upload.mimeType,
          userMetadata: upload.userMetadata,
          bucket: this.objects.bucket,
          objectKey: assembled.key,
          objectVersionId: assembled.versionId,
          etag: assembled.etag,
          partSizes: assembled.partSizes,
          uploadId: upload.uploadId,
        },
        upload.expectedVersion,
        lifecycleEvent.uploadCompleted,
      );
      if (!recorded)
        throw new TesseraError(ErrorCode.Conflict, `upload ${upload.uploadId} is no longer completing`);
      node = recorded;
    } catch (error) {
      // The multipart upload may already be consumed: this upload cannot be completed again.
      const failed = lifecycleEvent.uploadFailed(upload, reasonOf(error));
      await this.uploads.transition(upload.uploadId, ['COMPLETING'], 'FAILED', failed);
      if (assembled) await this.discard(assembled);
      throw error;
    }
    await this.announce(node);
    return node;
  }

  /** The version is durable; until readers' caches know it, the write is not reported done. */
  private async announce(node: NodeVersion): Promise<void> {
    try {
      await this.changes.nodeChanged(node.nodeId);
    } catch (error) {
      throw new TesseraError(
        ErrorCode.Unavailable,
        `upload ${node.uploadId} completed as version ${node.version} of node ${node.nodeId}, but the ` +
          'metadata cache could not be refreshed: reads may return the previous version until it is',
        { cause: error },
      );
    }
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

  private async begin(uploadId: string): Promise<void> {
    const started = await this.uploads.beginCompletion(uploadId);
    switch (started.outcome) {
      case 'started':
        return;
      case 'unknown-upload':
        throw TesseraError.notFound('upload', uploadId);
      case 'not-accepting':
        throw new TesseraError(
          started.state === 'COMPLETING' ? ErrorCode.Conflict : ErrorCode.FailedPrecondition,
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

  private async hashObject(key: string, size: number, versionId: string | undefined): Promise<string> {
    const hash = createHash('sha256');
    if (size > 0) {
      for await (const data of await this.objects.readRange(key, 0, size, versionId)) {
        hash.update(data as Uint8Array);
      }
    }
    return hash.digest('hex');
  }
}
