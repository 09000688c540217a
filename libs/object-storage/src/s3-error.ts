import { ErrorCode, TesseraError } from '@tessera/errors';

interface SdkError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload', 'NoSuchVersion', 'NoSuchBucket']);
const PRECONDITION = new Set(['PreconditionFailed']);

/** Translates an AWS SDK error into a TesseraError; the SDK error stays as the cause. */
export function toStorageError(error: unknown, operation: string, key: string): TesseraError {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const name = sdk.name ?? sdk.Code ?? '';
  const status = sdk.$metadata?.httpStatusCode;
  const what = `${operation} ${key}`;
  if (NOT_FOUND.has(name) || status === 404) {
    return new TesseraError(ErrorCode.NotFound, `object storage: ${what}: not found`, { cause: error });
  }
  if (PRECONDITION.has(name) || status === 412) {
    return new TesseraError(ErrorCode.FailedPrecondition, `object storage: ${what}: object changed`, {
      cause: error,
    });
  }
  if (sdk.$fault === 'server' || (status !== undefined && status >= 500) || status === undefined) {
    return new TesseraError(ErrorCode.Unavailable, `object storage unavailable: ${what}`, {
      cause: error,
      retryAfterSeconds: 1,
    });
  }
  return new TesseraError(ErrorCode.Internal, `object storage rejected ${what} (${name || status})`, {
    cause: error,
  });
}
