import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { uploadV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import type { ChunkNumberRange } from '../domain/chunks/chunk-ranges';
import type { InitiateRequest } from '../domain/uploads/new-upload';
import type { UploadRecord, UploadState } from '../domain/ports/upload-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function requireUuid(field: string, value: string): string {
  if (!UUID.test(value)) throw TesseraError.invalidArgument(field, 'must be a UUID');
  return value;
}

/** A uint64 field as a JS number, refusing values that would lose precision. */
export function toSafeNumber(field: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw TesseraError.invalidArgument(field, 'is too large');
  return Number(value);
}

const STATES: Record<UploadState, uploadV1.UploadState> = {
  INITIATED: uploadV1.UploadState.INITIATED,
  IN_PROGRESS: uploadV1.UploadState.IN_PROGRESS,
  COMPLETING: uploadV1.UploadState.COMPLETING,
  COMPLETED: uploadV1.UploadState.COMPLETED,
  FAILED: uploadV1.UploadState.FAILED,
  ABORTED: uploadV1.UploadState.ABORTED,
};

export function toUploadInfo(upload: UploadRecord): MessageInitShape<typeof uploadV1.UploadInfoSchema> {
  return {
    uploadId: upload.uploadId,
    nodeId: upload.nodeId,
    driveId: upload.driveId,
    name: upload.name,
    state: STATES[upload.state],
    createdAt: timestampFromDate(upload.createdAt),
    updatedAt: timestampFromDate(upload.updatedAt),
  };
}

export function toRangeMessages(
  ranges: ChunkNumberRange[],
): MessageInitShape<typeof uploadV1.ChunkRangeSchema>[] {
  return ranges.map((range) => ({ first: BigInt(range.first), last: BigInt(range.last) }));
}

/** What InitiateUpload and UploadFile name of a new upload, as the domain takes it. */
export function initiateRequestOf(
  message: Pick<
    uploadV1.InitiateUploadRequest,
    'name' | 'driveId' | 'mimeType' | 'userMetadata' | 'idempotencyKey' | 'expectedVersion'
  >,
): InitiateRequest {
  return {
    name: message.name,
    driveId: message.driveId,
    mimeType: message.mimeType,
    userMetadata: message.userMetadata,
    idempotencyKey: message.idempotencyKey,
    expectedVersion:
      message.expectedVersion === undefined
        ? undefined
        : toSafeNumber('expected_version', message.expectedVersion),
  };
}
