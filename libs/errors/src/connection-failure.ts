/** Error codes of a connection that could not be made or broke: the server may answer later. */
const CONNECTION_FAILURE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // mysql2: the server closed the connection, or a pooled one was found dead.
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
]);

/**
 * True for an error of a client library (database, cache, object store) whose server could not be
 * reached or dropped the connection: retrying later may succeed, so it is UNAVAILABLE, not a bug.
 */
export function isConnectionFailure(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CONNECTION_FAILURE_CODES.has(code);
}
