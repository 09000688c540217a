import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  ErrorCode,
  errorCodeOfGrpcStatus,
  grpcStatusOf,
  isConnectionFailure,
  isTesseraError,
  TesseraError,
} from '@tessera/errors';

export type GrpcErrorLogger = (error: unknown, rpc: string) => void;

/** Header carrying the retry hint of RESOURCE_EXHAUSTED and UNAVAILABLE answers, in seconds. */
export const RETRY_AFTER_METADATA_KEY = 'retry-after';

/**
 * Turns anything a handler threw into a gRPC error. Tessera errors keep their code and message; a
 * backing server that could not be reached (a connection failure) is UNAVAILABLE with a retry-after
 * hint; anything else becomes INTERNAL with a generic message, and its cause goes to the log only.
 */
export function toGrpcError(
  error: unknown,
  rpc: string,
  logUnexpected: GrpcErrorLogger,
): Partial<ServiceError> {
  const metadata = new Metadata();
  if (isTesseraError(error)) {
    if (error.retryAfterSeconds !== undefined) {
      metadata.set(RETRY_AFTER_METADATA_KEY, String(error.retryAfterSeconds));
    }
    return { code: grpcStatusOf(error.code), details: error.message, metadata };
  }
  if (isConnectionFailure(error)) {
    metadata.set(RETRY_AFTER_METADATA_KEY, '1');
    return {
      code: GrpcStatus.UNAVAILABLE,
      details: `a server this service depends on cannot be reached (${error.message}); retry later`,
      metadata,
    };
  }
  logUnexpected(error, rpc);
  return { code: GrpcStatus.INTERNAL, details: 'internal error', metadata };
}

/**
 * A gRPC error received from another service, as a TesseraError with the same code and message. A
 * TesseraError raised on this side of the call (e.g. by a request it was sending) stays as it is.
 */
export function fromGrpcError(error: unknown, what: string): TesseraError {
  if (isTesseraError(error)) return error;
  const grpc = error as Partial<ServiceError>;
  if (typeof grpc.code !== 'number')
    return new TesseraError(ErrorCode.Internal, `${what} failed`, { cause: error });
  const retryAfter = grpc.metadata?.get(RETRY_AFTER_METADATA_KEY)[0];
  return new TesseraError(errorCodeOfGrpcStatus(grpc.code), grpc.details || `${what} failed`, {
    cause: error,
    ...(retryAfter !== undefined && { retryAfterSeconds: Number(retryAfter) }),
  });
}
