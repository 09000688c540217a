import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { eventsV1 } from '@tessera/contracts';
import { encodeLifecycleMessage, type LifecycleMessage } from '@tessera/events';
import type { LifecycleEvent } from '../../domain/events/lifecycle-event';

function toMessage(event: LifecycleEvent): LifecycleMessage {
  const common = {
    eventId: event.eventId,
    occurredAt: timestampFromDate(event.occurredAt),
    nodeId: event.nodeId,
    uploadId: event.uploadId,
  };
  switch (event.type) {
    case 'UploadInitiated':
      return {
        type: 'tessera.events.v1.UploadInitiated',
        message: create(eventsV1.UploadInitiatedSchema, {
          ...common,
          driveId: event.driveId,
          name: event.name,
          mimeType: event.mimeType,
        }),
      };
    case 'ChunkUploaded':
      return {
        type: 'tessera.events.v1.ChunkUploaded',
        message: create(eventsV1.ChunkUploadedSchema, {
          ...common,
          chunkNumber: BigInt(event.chunkNumber),
          size: BigInt(event.size),
          sha256: event.sha256,
        }),
      };
    case 'UploadCompleted': {
      const { node } = event;
      return {
        type: 'tessera.events.v1.UploadCompleted',
        message: create(eventsV1.UploadCompletedSchema, {
          ...common,
          driveId: node.driveId,
          name: node.name,
          version: BigInt(node.version),
          mimeType: node.mimeType,
          object: {
            bucket: node.bucket,
            key: node.objectKey,
            versionId: node.objectVersionId ?? '',
            etag: node.etag,
            size: BigInt(node.size),
            sha256: node.sha256,
            sha256VerifiedBy:
              node.sha256VerifiedBy === 'client'
                ? eventsV1.Sha256VerifiedBy.CLIENT
                : eventsV1.Sha256VerifiedBy.SERVICE,
            partSha256: node.partSha256,
          },
        }),
      };
    }
    case 'UploadFailed':
      return {
        type: 'tessera.events.v1.UploadFailed',
        message: create(eventsV1.UploadFailedSchema, { ...common, reason: event.reason }),
      };
    case 'UploadAborted':
      return {
        type: 'tessera.events.v1.UploadAborted',
        message: create(eventsV1.UploadAbortedSchema, common),
      };
    case 'NodeDeleted':
      return {
        type: 'tessera.events.v1.NodeDeleted',
        message: create(eventsV1.NodeDeletedSchema, { ...common, driveId: event.driveId }),
      };
  }
}

/** The event as it travels: its protobuf message name and encoding. */
export function encodeLifecycleEvent(event: LifecycleEvent): { type: string; payload: Uint8Array } {
  const message = toMessage(event);
  return { type: message.type, payload: encodeLifecycleMessage(message) };
}
