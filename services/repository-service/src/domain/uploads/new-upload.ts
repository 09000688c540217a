import { TesseraError } from '@tessera/errors';
import type { NewUpload } from '../ports/upload-store.port';

export interface InitiateRequest {
  name: string;
  driveId: string;
  mimeType: string | undefined;
  userMetadata: Record<string, string>;
  idempotencyKey: string | undefined;
  /** The node version this write replaces (0: the name must be new); undefined: any. */
  expectedVersion: number | undefined;
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

/** Checks what opening an upload (chunked or in one call) names, each field by its API name. */
export function validateNewUpload(request: InitiateRequest): void {
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

/** Where an upload's final object goes: the key template with its placeholders filled in. */
export function objectKeyFor(
  template: string,
  { driveId, nodeId, uploadId }: { driveId: string; nodeId: string; uploadId: string },
): string {
  return template
    .replaceAll('{drive_id}', driveId)
    .replaceAll('{node_id}', nodeId)
    .replaceAll('{upload_id}', uploadId);
}

/** The upload to record for `request`: a new upload of node `nodeId`, its object at the template's key. */
export function newUploadOf(
  request: InitiateRequest,
  ids: { nodeId: string; uploadId: string },
  objectKeyTemplate: string,
): NewUpload {
  return {
    ...ids,
    driveId: request.driveId,
    name: request.name,
    mimeType: request.mimeType ?? '',
    userMetadata: request.userMetadata,
    idempotencyKey: request.idempotencyKey,
    objectKey: objectKeyFor(objectKeyTemplate, { driveId: request.driveId, ...ids }),
    expectedVersion: request.expectedVersion,
  };
}
