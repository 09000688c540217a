import { randomUUID } from 'node:crypto';
import type { NodeVersion } from '../ports/node-store.port';
import type { NewUpload, UploadRecord } from '../ports/upload-store.port';

interface EventIdentity {
  /** Unique per event: delivery is at-least-once and consumers de-duplicate by it. */
  eventId: string;
  occurredAt: Date;
  nodeId: string;
  uploadId: string;
}

/**
 * A change of an upload or node that downstream pipelines hear about (docs/events.md). Each is
 * written to the outbox in the same transaction as the change it reports.
 */
export type LifecycleEvent = EventIdentity &
  (
    | { type: 'UploadInitiated'; driveId: string; name: string; mimeType: string }
    | { type: 'ChunkUploaded'; chunkNumber: number; size: number; sha256: string }
    | { type: 'UploadCompleted'; node: NodeVersion }
    | { type: 'UploadFailed'; reason: string }
    | { type: 'UploadAborted' }
    | { type: 'NodeDeleted'; driveId: string }
  );

type Upload = Pick<UploadRecord, 'uploadId' | 'nodeId'>;

function identity(upload: Upload): EventIdentity {
  return { eventId: randomUUID(), occurredAt: new Date(), nodeId: upload.nodeId, uploadId: upload.uploadId };
}

export const lifecycleEvent = {
  uploadInitiated: (upload: NewUpload): LifecycleEvent => ({
    ...identity(upload),
    type: 'UploadInitiated',
    driveId: upload.driveId,
    name: upload.name,
    mimeType: upload.mimeType,
  }),
  chunkUploaded: (
    upload: Upload,
    chunk: { chunkNumber: number; size: number; sha256: string },
  ): LifecycleEvent => ({ ...identity(upload), type: 'ChunkUploaded', ...chunk }),
  uploadCompleted: (node: NodeVersion): LifecycleEvent => ({
    ...identity(node),
    type: 'UploadCompleted',
    node,
  }),
  uploadFailed: (upload: Upload, reason: string): LifecycleEvent => ({
    ...identity(upload),
    type: 'UploadFailed',
    reason,
  }),
  uploadAborted: (upload: Upload): LifecycleEvent => ({ ...identity(upload), type: 'UploadAborted' }),
  /** Carries the upload of the node's latest version, if it had one. */
  nodeDeleted: (nodeId: string, driveId: string, latest: NodeVersion | undefined): LifecycleEvent => ({
    ...identity({ nodeId, uploadId: latest?.uploadId ?? '' }),
    type: 'NodeDeleted',
    driveId,
  }),
};
