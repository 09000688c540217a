import { ErrorCode } from '@tessera/errors';
import { toStorageError } from './s3-error';

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

  it('hints a retry for an unavailable store', () => {
    expect(toStorageError({ $fault: 'server' }, 'GetObject', 'k').retryAfterSeconds).toBe(1);
  });
});
