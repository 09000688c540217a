/**
 * Every failure Tessera reports, independent of transport. Domain code throws a TesseraError with
 * one of these codes; the API layer maps it to a gRPC status or HTTP code with the tables in
 * error-mapping.ts.
 */
export enum ErrorCode {
  InvalidArgument = 'INVALID_ARGUMENT',
  NotFound = 'NOT_FOUND',
  AlreadyExists = 'ALREADY_EXISTS',
  FailedPrecondition = 'FAILED_PRECONDITION',
  Conflict = 'CONFLICT',
  ResourceExhausted = 'RESOURCE_EXHAUSTED',
  Unavailable = 'UNAVAILABLE',
  DataLoss = 'DATA_LOSS',
  Unimplemented = 'UNIMPLEMENTED',
  Internal = 'INTERNAL',
}
