import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode, isConnectionFailure, TesseraError } from '@tessera/errors';
import type { ObjectStore, StoredObject } from '@tessera/object-storage';
import { announceVersion } from '../events/announce-version';
import { lifecycleEvent } from '../events/lifecycle-event';
import { newUploadOf, validateNewUpload, type InitiateRequest } from './new-upload';
import type { NodeChangeListener } from '../ports/node-change.port';
import type { NodeStore, NodeVersion } from '../ports/node-store.port';
import type { NewUpload, UploadStore } from '../ports/upload-store.port';

export interface OneCallUploadRequest extends InitiateRequest {
  data: Uint8Array;
  /** The client's lower-case hex SHA-256 of `data`: checked when given. */
  sha256: string | undefined;
}

/** Where writes take their turn (the chunk writers' pool): bounds S3 and TiDB work, refuses beyond. */
export interface WriteSlots {
  run<T>(write: () => Promise<T>): Promise<T>;
}

export interface OneCallUploadOptions {
  objectKeyTemplate: string;
  /** Larger files are uploaded in chunks. */
  maxBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A small file in one call: one PutObject, then one transaction recording the upload (already
 * completed), the node's next version and both lifecycle events; the cache refreshed as for chunked
 * uploads. A retry with the same idempotency key answers the version the first call recorded.
 */
export class OneCallUploads {
  constructor(
    private readonly uploads: UploadStore,
    private readonly nodes: NodeStore,
    private readonly objects: ObjectStore,
    private readonly changes: NodeChangeListener,
    private readonly slots: WriteSlots,
    private readonly options: OneCallUploadOptions,
  ) {}

  async upload(request: OneCallUploadRequest): Promise<NodeVersion> {
    const sha256 = this.validate(request);
    const earlier = await this.earlierCall(request);
    if (earlier) return earlier;
    const nodeId = await this.nodes.resolveNodeId(request.driveId, request.name, randomUUID());
    await this.requireExpectedVersion(nodeId, request.expectedVersion);
    const upload = newUploadOf(request, { nodeId, uploadId: randomUUID() }, this.options.objectKeyTemplate);
    const node = await this.slots.run(() => this.store(upload, request.data, sha256));
    if (!node) return (await this.earlierCall(request))!;
    await announceVersion(this.changes, node);
    return node;
  }

  /** The object, then its records; undefined when another call with the key recorded first. */
  private async store(upload: NewUpload, data: Uint8Array, sha256: string): Promise<NodeVersion | undefined> {
    const mimeType = upload.mimeType || undefined;
    const stored = await this.objects.putObject(upload.objectKey, data, data.length, mimeType);
    const node = await this.record(upload, stored, data.length, sha256);
    if (!node) await this.discard(upload.objectKey, stored);
    return node;
  }

  /** Checks the request; the SHA-256 of its bytes. */
  private validate(request: OneCallUploadRequest): string {
    validateNewUpload(request);
    if (request.data.length > this.options.maxBytes) {
      throw TesseraError.invalidArgument(
        'data',
        `must be at most ${this.options.maxBytes} bytes in one call; upload larger files in chunks (InitiateUpload)`,
      );
    }
    if (request.sha256 !== undefined && !SHA256_HEX.test(request.sha256))
      throw TesseraError.invalidArgument('sha256', 'must be 64 lower-case hex characters');
    const sha256 = createHash('sha256').update(request.data).digest('hex');
    if (request.sha256 !== undefined && request.sha256 !== sha256) {
      throw new TesseraError(
        ErrorCode.DataLoss,
        `received ${request.data.length} bytes with sha256 ${sha256}, but the request says sha256 ${request.sha256}`,
      );
    }
    return sha256;
  }

  private async record(
    upload: NewUpload,
    stored: StoredObject,
    size: number,
    sha256: string,
  ): Promise<NodeVersion | undefined> {
    try {
      return await this.nodes.recordWholeUpload(
        upload,
        {
          nodeId: upload.nodeId,
          driveId: upload.driveId,
          name: upload.name,
          size,
          sha256,
          sha256VerifiedBy: 'service',
          mimeType: upload.mimeType,
          userMetadata: upload.userMetadata,
          bucket: this.objects.bucket,
          objectKey: upload.objectKey,
          objectVersionId: stored.versionId,
          etag: stored.etag,
          partSizes: size > 0 ? [size] : [], // a single-part object, as an empty one has none
          partSha256: size > 0 ? [sha256] : [],
          uploadId: upload.uploadId,
        },
        { initiated: lifecycleEvent.uploadInitiated(upload), completed: lifecycleEvent.uploadCompleted },
      );
    } catch (error) {
      // Refused (a version conflict): nothing refers to the object. A lost connection may have
      // committed all the same, so the object stays (unreferenced if it did not).
      if (!isConnectionFailure(error)) await this.discard(upload.objectKey, stored);
      throw error;
    }
  }

  /** A stale write is refused before its bytes are stored (the transaction checks again). */
  private async requireExpectedVersion(nodeId: string, expected: number | undefined): Promise<void> {
    if (expected === undefined) return;
    const latest = await this.nodes.latestVersion(nodeId);
    if (latest !== expected)
      throw new TesseraError(
        ErrorCode.Conflict,
        `node ${nodeId} is at version ${latest}, but this write expected version ${expected}`,
      );
  }

  /** The version an earlier call with this idempotency key recorded. */
  private async earlierCall(request: OneCallUploadRequest): Promise<NodeVersion | undefined> {
    if (request.idempotencyKey === undefined) return undefined;
    const earlier = await this.uploads.findUploadByIdempotencyKey(request.driveId, request.idempotencyKey);
    if (!earlier) return undefined;
    const node =
      earlier.name === request.name ? await this.nodes.findVersionOfUpload(earlier.uploadId) : undefined;
    if (!node) {
      throw new TesseraError(
        ErrorCode.FailedPrecondition,
        `idempotency_key ${request.idempotencyKey} was already used for ${earlier.name === request.name ? 'an upload in chunks' : `"${earlier.name}"`} in drive ${request.driveId}`,
      );
    }
    return node;
  }

  /** In an unversioned bucket the key names the upload (checked at boot): it is this call's alone. */
  private async discard(key: string, stored: StoredObject): Promise<void> {
    await this.objects
      .deleteObjects([stored.versionId ? { key, versionId: stored.versionId } : key])
      .catch(() => undefined);
  }
}
