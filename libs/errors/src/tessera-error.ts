import { ErrorCode } from './error-code';

export interface TesseraErrorOptions {
  /** The underlying error, kept for logs; never sent to clients. */
  cause?: unknown;
  /** Seconds after which a retry may succeed (for RESOURCE_EXHAUSTED and UNAVAILABLE). */
  retryAfterSeconds?: number;
}

/** The one error type of Tessera's domain code: a code, a message safe to show, an optional cause. */
export class TesseraError extends Error {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: TesseraErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static invalidArgument(field: string, problem: string): TesseraError {
    return new TesseraError(ErrorCode.InvalidArgument, `${field}: ${problem}`);
  }

  static notFound(what: string, id: string): TesseraError {
    return new TesseraError(ErrorCode.NotFound, `${what} ${id} not found`);
  }
}

export function isTesseraError(error: unknown): error is TesseraError {
  return error instanceof TesseraError;
}
