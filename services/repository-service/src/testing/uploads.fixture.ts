import { randomUUID } from 'node:crypto';
import { lifecycleEvent, type LifecycleEvent } from '../domain/events/lifecycle-event';
import type { NewUpload } from '../domain/ports/upload-store.port';

/** An upload in drive d1 with fresh ids and the default key, changed by `overrides`. */
export function testUpload(overrides: Partial<NewUpload> = {}): NewUpload {
  const nodeId = overrides.nodeId ?? randomUUID();
  return {
    uploadId: randomUUID(),
    nodeId,
    driveId: 'd1',
    name: 'f.bin',
    mimeType: '',
    userMetadata: {},
    idempotencyKey: undefined,
    expectedVersion: undefined,
    objectKey: `d1/${nodeId}`,
    ...overrides,
  };
}

/** createUpload's arguments for a test: the upload and its UploadInitiated event. */
export function initiating(upload: NewUpload): [NewUpload, LifecycleEvent] {
  return [upload, lifecycleEvent.uploadInitiated(upload)];
}

/** A ChunkUploaded event for markChunkStored in store-level tests (its content is not under test). */
export function chunkStored(uploadId: string, chunkNumber: number): LifecycleEvent {
  return lifecycleEvent.chunkUploaded(
    { uploadId, nodeId: randomUUID() },
    { chunkNumber, size: 1, sha256: '0'.repeat(64) },
  );
}
