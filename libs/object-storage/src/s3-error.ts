import { ErrorCode, isTesseraError, TesseraError } from '@tessera/errors';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: 'client' | 'server';
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload', 'NoSuchVersion', 'NoSuchBucket']);
const PRECONDITION = new Set(['PreconditionFailed']);
/** CompleteMultipartUpload named a part by an ETag S3 no longer holds for it (the part was written again). */
const PART_MISMATCH = 'InvalidPart';
/** The SDK names connection resets `TimeoutError` too; these codes say it was a reset, not a timeout. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** One of the client's S3Timeouts ran out: the connection did not open, went silent, or took too long. */
function isTimeout(sdk: SdkError): boolean {
  return sdk.name === 'TimeoutError' && !RESET_CODES.has(sdk.code ?? '');
}

/** Translates an AWS SDK error into a TesseraError; the SDK error stays as the cause. */
export function toStorageError(error: unknown, operation: string, key: string): TesseraError {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const name = sdk.name ?? sdk.Code ?? '';
  const status = sdk.$metadata?.httpStatusCode;
  const what = `${operation} ${key}`;
  if (NOT_FOUND.has(name) || status === 404) {
    return new TesseraError(ErrorCode.NotFound, `object storage: ${what}: not found`, { cause: error });
  }
  if (name === PART_MISMATCH) {
    return new TesseraError(
      ErrorCode.FailedPrecondition,
      `object storage: ${what}: a part is not the one recorded (InvalidPart)`,
      { cause: error },
    );
  }
  if (PRECONDITION.has(name) || status === 412) {
    return new TesseraError(ErrorCode.FailedPrecondition, `object storage: ${what}: object changed`, {
      cause: error,
    });
  }
  if (sdk.$fault === 'server' || (status !== undefined && status >= 500) || status === undefined) {
    const attempts = sdk.$metadata?.attempts;
    const why = isTimeout(sdk)
      ? `: S3 timed out${attempts === undefined ? '' : ` (${attempts} attempt${attempts === 1 ? '' : 's'})`}`
      : '';
    return new TesseraError(ErrorCode.Unavailable, `object storage unavailable: ${what}${why}`, {
      cause: error,
      retryAfterSeconds: 1,
    });
  }
  return new TesseraError(ErrorCode.Internal, `object storage rejected ${what} (${name || status})`, {
    cause: error,
  });
}

/** A completion S3 refused because a part holds other bytes than the ETag it was completed with. */
export function isPartMismatch(error: unknown): boolean {
  return (
    isTesseraError(error) &&
    error.code === ErrorCode.FailedPrecondition &&
    (error.cause as SdkError | undefined)?.name === PART_MISMATCH
  );
}
