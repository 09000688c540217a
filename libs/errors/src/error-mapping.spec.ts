import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorCode } from './error-code';
import { errorCodeOfGrpcStatus, grpcStatusOf, httpStatusOf } from './error-mapping';
import { TesseraError } from './tessera-error';

describe('error mapping', () => {
  it.each(Object.values(ErrorCode))('maps %s to a gRPC status and an HTTP code', (code) => {
    expect(typeof grpcStatusOf(code)).toBe('number');
    expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
  });

  it.each(Object.values(ErrorCode).filter((code) => code !== ErrorCode.Internal))(
    'maps %s back from its gRPC status',
    (code) => {
      expect(errorCodeOfGrpcStatus(grpcStatusOf(code))).toBe(code);
    },
  );

  it('maps a version conflict to ABORTED and 409', () => {
    expect(grpcStatusOf(ErrorCode.Conflict)).toBe(GrpcStatus.ABORTED);
    expect(httpStatusOf(ErrorCode.Conflict)).toBe(409);
  });

  it('names the field in invalid-argument messages and keeps the cause out of the message', () => {
    const cause = new Error('driver detail');
    const error = new TesseraError(ErrorCode.Unavailable, 'metadata store unavailable', { cause });
    expect(TesseraError.invalidArgument('drive_id', 'must not be empty').message).toBe(
      'drive_id: must not be empty',
    );
    expect(error.message).not.toContain('driver detail');
    expect(error.cause).toBe(cause);
  });
});
