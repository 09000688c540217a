import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { grpcStatusOf, isTesseraError } from '@tessera/errors';

export type GrpcErrorLogger = (error: unknown, rpc: string) => void;

/** Header carrying the retry hint of RESOURCE_EXHAUSTED and UNAVAILABLE answers, in seconds. */
export const RETRY_AFTER_METADATA_KEY = 'retry-after';

/**
 * Turns anything a handler threw into a gRPC error. Tessera errors keep their code and message;
 * anything else becomes INTERNAL with a generic message, and its cause goes to the log only.
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
  logUnexpected(error, rpc);
  return { code: GrpcStatus.INTERNAL, details: 'internal error', metadata };
}
