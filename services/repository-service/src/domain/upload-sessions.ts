import { randomUUID } from 'node:crypto';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { missingRanges, toRanges, type ChunkNumberRange } from './chunk-ranges';
import { stagingFolderOf } from './chunk-writer';
import { lifecycleEvent } from './lifecycle-event';
import type { NodeStore } from './node-store.port';
import type { NewUpload, UploadRecord, UploadStore } from './upload-store.port';

export interface InitiateRequest {
  name: string;
  driveId: string;
  mimeType: string | undefined;
  userMetadata: Record<string, string>;
  idempotencyKey: string | undefined;
  /** The node version this write replaces (0: the name must be new); undefined: any. */
  expectedVersion: number | undefined;
}

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

const DRIVE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
// A MIME type becomes an HTTP header (S3's Content-Type, the HTTP API's answers): printable ASCII.
const HEADER_TEXT = /^[\x20-\x7e]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function requireText(field: string, value: string, maxLength: number): void {
  if (value.length === 0) throw TesseraError.invalidArgument(field, 'must not be empty');
  if (value.length > maxLength)
    throw TesseraError.invalidArgument(field, `must be at most ${maxLength} characters`);
  if (CONTROL.test(value)) throw TesseraError.invalidArgument(field, 'must not contain control characters');
}

function validateInitiate(request: InitiateRequest): void {
  requireText('name', request.name, 1024);
  if (request.name === '.' || request.name === '..')
    throw TesseraError.invalidArgument('name', 'must not be "." or ".."');
  if (!DRIVE_ID.test(request.driveId)) {
    throw TesseraError.invalidArgument(
      'drive_id',
      'must be 1-255 characters of letters, digits, ".", "_" or "-", not starting with "." or "-"',
    );
  }
  if (request.mimeType !== undefined) {
    requireText('mime_type', request.mimeType, 255);
    if (!HEADER_TEXT.test(request.mimeType))
      throw TesseraError.invalidArgument('mime_type', 'must be printable ASCII (it is sent as Content-Type)');
  }
  if (request.idempotencyKey !== undefined) requireText('idempotency_key', request.idempotencyKey, 255);
  const expected = request.expectedVersion;
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0))
    throw TesseraError.invalidArgument('expected_version', 'must be 0 (a new name) or a version number');
  const entries = Object.entries(request.userMetadata);
  if (entries.length > 64) throw TesseraError.invalidArgument('user_metadata', 'at most 64 entries');
  for (const [key, value] of entries) {
    requireText('user_metadata key', key, 128);
    if (value.length > 1024)
      throw TesseraError.invalidArgument(`user_metadata[${key}]`, 'must be at most 1024 characters');
  }
}

/** Opening, inspecting and aborting upload sessions. */
export class UploadSessions {
  constructor(
    private readonly uploads: UploadStore,
    private readonly nodes: NodeStore,
    private readonly objects: ObjectStore,
    private readonly options: UploadSessionsOptions,
  ) {}

  /** Opens an upload; the same idempotency key in the same drive returns the same upload. */
  async initiate(request: InitiateRequest): Promise<UploadRecord> {
    validateInitiate(request);
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
    const newUpload: NewUpload = {
      uploadId,
      nodeId,
      driveId: request.driveId,
      name: request.name,
      mimeType: request.mimeType ?? '',
      userMetadata: request.userMetadata,
      idempotencyKey: request.idempotencyKey,
      objectKey: this.objectKeyOf(request.driveId, nodeId, uploadId),
      expectedVersion: request.expectedVersion,
    };
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

  private objectKeyOf(driveId: string, nodeId: string, uploadId: string): string {
    return this.options.objectKeyTemplate
      .replaceAll('{drive_id}', driveId)
      .replaceAll('{node_id}', nodeId)
      .replaceAll('{upload_id}', uploadId);
  }
}
