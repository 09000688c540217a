/**
 * How long one attempt of an S3 request may take, in milliseconds; 0 turns a limit off. An attempt
 * that runs out fails with the SDK's `TimeoutError`, which its retry strategy retries (up to the
 * client's maxAttempts) unless the request streams its body: a stream cannot be sent twice, so such
 * a request (a chunk on its way to S3) fails at once and its caller sends it again.
 */
export interface S3Timeouts {
  /** Opening the connection (TCP, and TLS for https). The SDK's `connectionTimeout`. */
  connectMs: number;
  /**
   * How long a request's connection may stay silent, nothing sent and nothing received, from its
   * headers to the last byte of its answer: a hung connection. Bytes moving, however slowly, keep it
   * alive, so a slow but moving part upload is never cut. The SDK's `socketTimeout`.
   */
  idleMs: number;
  /**
   * The whole of a request until its answer's headers arrive, its body upload included: a bound on
   * a connection that trickles. It must exceed the slowest legitimate part upload, so it is off by
   * default. The SDK's `requestTimeout` with `throwOnRequestTimeout` (without that flag the SDK only
   * logs a warning). It is also how long the SDK waits for "100 Continue" before sending a body of
   * 2 MiB or more (at least 6 s).
   */
  requestMs: number;
}

/** The S3 client's `requestHandler` options (@smithy/node-http-handler 4.x) that apply the timeouts. */
export function requestHandlerOptions(timeouts: S3Timeouts): {
  connectionTimeout: number;
  socketTimeout: number;
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
} {
  for (const [name, value] of Object.entries(timeouts))
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`S3 timeouts: ${name} must be a whole number of milliseconds, 0 or more`);
  return {
    connectionTimeout: timeouts.connectMs,
    socketTimeout: timeouts.idleMs,
    ...(timeouts.requestMs > 0 && { requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true }),
  };
}
