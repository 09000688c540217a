import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorCode } from './error-code';

function unreachable(code: never): never {
  throw new Error(`unmapped error code ${String(code)}`);
}

/** The gRPC status of each error code. */
export function grpcStatusOf(code: ErrorCode): GrpcStatus {
  switch (code) {
    case ErrorCode.InvalidArgument:
      return GrpcStatus.INVALID_ARGUMENT;
    case ErrorCode.NotFound:
      return GrpcStatus.NOT_FOUND;
    case ErrorCode.AlreadyExists:
      return GrpcStatus.ALREADY_EXISTS;
    case ErrorCode.FailedPrecondition:
      return GrpcStatus.FAILED_PRECONDITION;
    case ErrorCode.Conflict:
      return GrpcStatus.ABORTED;
    case ErrorCode.ResourceExhausted:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case ErrorCode.Unavailable:
      return GrpcStatus.UNAVAILABLE;
    case ErrorCode.DataLoss:
      return GrpcStatus.DATA_LOSS;
    case ErrorCode.Unimplemented:
      return GrpcStatus.UNIMPLEMENTED;
    case ErrorCode.Internal:
      return GrpcStatus.INTERNAL;
    default:
      return unreachable(code);
  }
}

/** The HTTP status of each error code, for the intake gateway's HTTP API. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.InvalidArgument:
      return 400;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.AlreadyExists:
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.FailedPrecondition:
      return 412;
    case ErrorCode.ResourceExhausted:
      return 429;
    case ErrorCode.Unavailable:
      return 503;
    case ErrorCode.Unimplemented:
      return 501;
    case ErrorCode.DataLoss:
    case ErrorCode.Internal:
      return 500;
    default:
      return unreachable(code);
  }
}

/** The error code of a gRPC status received from another service (the reverse of grpcStatusOf). */
export function errorCodeOfGrpcStatus(status: GrpcStatus): ErrorCode {
  switch (status) {
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return ErrorCode.InvalidArgument;
    case GrpcStatus.NOT_FOUND:
      return ErrorCode.NotFound;
    case GrpcStatus.ALREADY_EXISTS:
      return ErrorCode.AlreadyExists;
    case GrpcStatus.FAILED_PRECONDITION:
      return ErrorCode.FailedPrecondition;
    case GrpcStatus.ABORTED:
      return ErrorCode.Conflict;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return ErrorCode.ResourceExhausted;
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.CANCELLED:
      return ErrorCode.Unavailable;
    case GrpcStatus.DATA_LOSS:
      return ErrorCode.DataLoss;
    case GrpcStatus.UNIMPLEMENTED:
      return ErrorCode.Unimplemented;
    default:
      return ErrorCode.Internal;
  }
}
