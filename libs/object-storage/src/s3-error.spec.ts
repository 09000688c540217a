import { ErrorCode } from '@tessera/errors';
import { isPartMismatch, toStorageError } from './s3-error';

describe('toStorageError', () => {
  it.each([
    [{ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }, ErrorCode.NotFound],
    [{ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } }, ErrorCode.NotFound],
    [{ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }, ErrorCode.FailedPrecondition],
    [{ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } }, ErrorCode.Unavailable],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), ErrorCode.Unavailable],
    [{ name: 'EntityTooSmall', $fault: 'client', $metadata: { httpStatusCode: 400 } }, ErrorCode.Internal],
  ])('maps %j to %s and keeps the SDK error as the cause', (sdkError, code) => {
    const error = toStorageError(sdkError, 'PutObject', 'd/n');
    expect(error.code).toBe(code);
    expect(error.message).toContain('PutObject d/n');
    expect(error.cause).toBe(sdkError);
  });

  it('tells a part S3 holds with other bytes (InvalidPart) from other refusals', () => {
    const invalidPart = { name: 'InvalidPart', $fault: 'client', $metadata: { httpStatusCode: 400 } };
    const mismatch = toStorageError(invalidPart, 'CompleteMultipartUpload', 'k');
    expect(mismatch.code).toBe(ErrorCode.FailedPrecondition);
    expect(isPartMismatch(mismatch)).toBe(true);
    expect(isPartMismatch(toStorageError({ name: 'PreconditionFailed' }, 'PutObject', 'k'))).toBe(false);
  });

  it('hints a retry for an unavailable store', () => {
    expect(toStorageError({ $fault: 'server' }, 'GetObject', 'k').retryAfterSeconds).toBe(1);
  });

  it('says S3 timed out, and after how many attempts, when a timeout ran out', () => {
    const timedOut = Object.assign(new Error('the request socket timed out after 1000 ms of inactivity'), {
      name: 'TimeoutError',
      $metadata: { attempts: 3 },
    });
    const error = toStorageError(timedOut, 'HeadObject', 'k');
    expect(error.code).toBe(ErrorCode.Unavailable);
    expect(error.message).toBe('object storage unavailable: HeadObject k: S3 timed out (3 attempts)');
  });

  it('does not call a connection reset, which the SDK also names TimeoutError, a timeout', () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(toStorageError(reset, 'PutObject', 'k').message).toBe('object storage unavailable: PutObject k');
  });
});
