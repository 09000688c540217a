import { randomUUID } from 'node:crypto';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { missingRanges, toRanges, type ChunkNumberRange } from '../chunks/chunk-ranges';
import { stagingFolderOf } from '../chunks/staged-objects';
import { lifecycleEvent } from '../events/lifecycle-event';
import { newUploadOf, validateNewUpload, type InitiateRequest } from './new-upload';
import type { NodeStore } from '../ports/node-store.port';
import type { UploadRecord, UploadStore } from '../ports/upload-store.port';
import type { DirectChunkReconciler } from '../ports/direct-chunk-store.port';

export type { InitiateRequest };

export interface UploadStatus {
  upload: UploadRecord;
  received: ChunkNumberRange[];
  missing: ChunkNumberRange[];
  receivedBytes: number;
}

export interface UploadSessionsOptions {
  /** e.g. "{drive_id}/{node_id}"; placeholders: {drive_id}, {node_id}, {upload_id}. */
  objectKeyTemplate: string;
  stagingPrefix: string;
}

/** Opening, inspecting and aborting upload sessions. */
export class UploadSessions {
  constructor(
    private readonly uploads: UploadStore,
    private readonly nodes: NodeStore,
    private readonly objects: ObjectStore,
    private readonly options: UploadSessionsOptions,
    /** Records the client-written chunks S3 now holds before answering a status. */
    private readonly directChunks?: DirectChunkReconciler,
  ) {}

  /** Opens an upload; the same idempotency key in the same drive returns the same upload. */
  async initiate(request: InitiateRequest): Promise<UploadRecord> {
    validateNewUpload(request);
    const nodeId = await this.nodes.resolveNodeId(request.driveId, request.name, randomUUID());
    if (request.expectedVersion !== undefined) {
      const latest = await this.nodes.latestVersion(nodeId);
      if (latest !== request.expectedVersion) {
        throw new TesseraError(
          ErrorCode.Conflict,
          `node ${nodeId} ("${request.name}") is at version ${latest}, but this write expected version ${request.expectedVersion}`,
        );
      }
    }
    const uploadId = randomUUID();
    const newUpload = newUploadOf(request, { nodeId, uploadId }, this.options.objectKeyTemplate);
    const { upload, created } = await this.uploads.createUpload(
      newUpload,
      lifecycleEvent.uploadInitiated(newUpload),
    );
    if (!created && upload.name !== request.name) {
      throw new TesseraError(
        ErrorCode.FailedPrecondition,
        `idempotency_key ${request.idempotencyKey} was already used for "${upload.name}" in drive ${request.driveId}`,
      );
    }
    return upload;
  }

  async status(uploadId: string): Promise<UploadStatus> {
    await this.directChunks?.reconcile(uploadId);
    const upload = await this.requireUpload(uploadId);
    const chunks = await this.uploads.listStoredChunks(uploadId);
    const received = toRanges(chunks.map((chunk) => chunk.chunkNumber));
    return {
      upload,
      received,
      missing: missingRanges(received),
      receivedBytes: chunks.reduce((sum, chunk) => sum + chunk.size, 0),
    };
  }

  /** Aborts an upload that has not completed: its multipart upload and staged chunks are removed. */
  async abort(uploadId: string): Promise<void> {
    const upload = await this.requireUpload(uploadId);
    if (upload.state === 'ABORTED') return;
    if (!(await this.moveToAborted(upload))) {
      const current = (await this.uploads.findUpload(uploadId))?.state ?? upload.state;
      if (current === 'ABORTED') return;
      throw new TesseraError(
        ErrorCode.FailedPrecondition,
        `upload ${uploadId} is ${current}: it cannot be aborted`,
      );
    }
    await this.releaseStorage(upload);
  }

  /**
   * The janitor's abort: only while the upload is still idle for `idleMs`, checked in the same
   * statement that aborts it, so an upload that resumed after it was found idle is left alone.
   * False when it was not aborted.
   */
  async abortIfIdle(upload: UploadRecord, idleMs: number): Promise<boolean> {
    if (!(await this.moveToAborted(upload, idleMs))) return false;
    await this.releaseStorage(upload);
    return true;
  }

  private moveToAborted(upload: UploadRecord, idleForMs?: number): Promise<boolean> {
    const aborted = lifecycleEvent.uploadAborted(upload);
    const options = idleForMs === undefined ? {} : { idleForMs };
    return this.uploads.transition(
      upload.uploadId,
      ['INITIATED', 'IN_PROGRESS', 'FAILED'],
      'ABORTED',
      aborted,
      options,
    );
  }

  private async releaseStorage(upload: UploadRecord): Promise<void> {
    if (upload.multipartUploadId) {
      await this.objects
        .abortMultipartUpload({ key: upload.objectKey, uploadId: upload.multipartUploadId })
        .catch((error: unknown) => {
          if (!(error instanceof TesseraError && error.code === ErrorCode.NotFound)) throw error;
        });
    }
    await this.objects.deletePrefix(stagingFolderOf(this.options.stagingPrefix, upload.uploadId));
  }

  private async requireUpload(uploadId: string): Promise<UploadRecord> {
    const upload = await this.uploads.findUpload(uploadId);
    if (!upload) throw TesseraError.notFound('upload', uploadId);
    return upload;
  }
}
