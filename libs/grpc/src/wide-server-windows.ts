import http2 from 'node:http2';
import { HTTP2_WINDOWS } from '@tessera/grpc-client';

function withServerSettings(options: http2.ServerOptions | undefined): http2.ServerOptions {
  return {
    ...options,
    settings: {
      ...options?.settings,
      initialWindowSize: HTTP2_WINDOWS.streamBytes,
      maxFrameSize: HTTP2_WINDOWS.frameBytes,
    },
  };
}

function widenConnection(session: http2.Http2Session): void {
  if (!session.destroyed) session.setLocalWindowSize(HTTP2_WINDOWS.connectionBytes);
}

/** Marks, on node:http2 itself (Jest loads this file once per test file), how many binds are running. */
const BINDING = Symbol.for('tessera.http2-windows.binding');
type Marked = typeof http2 & { [BINDING]?: { count: number; original: typeof http2.createServer } };

/**
 * Runs `bind` (our gRPC server's bindAsync) with node:http2's createServer giving the servers it
 * makes wider windows and frames, and restores createServer when it has bound. Chunks are 8 MiB
 * gRPC messages sent on through two hops: with HTTP/2's default 64 KiB windows and 16 KiB frames
 * every chunk costs hundreds of frames and window updates per hop (docs/benchmarks.md). grpc-js has
 * no server option for these settings, so this stays, scoped to our own servers while they bind:
 * clients, the OTLP exporter's included, are never touched. Memory stays bounded: at most
 * `connectionBytes` unread per connection, `streamBytes` per stream.
 */
export function whileBindingWideServers<T>(bind: (done: () => void) => T): T {
  const marked = http2 as Marked;
  const binding = (marked[BINDING] ??= { count: 0, original: http2.createServer });
  if (binding.count++ === 0) {
    http2.createServer = ((options: http2.ServerOptions, listener?: () => void) => {
      const server = binding.original(withServerSettings(options), listener);
      server.on('session', widenConnection);
      return server;
    }) as typeof http2.createServer;
  }
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    if (--binding.count === 0) http2.createServer = binding.original;
  };
  try {
    return bind(done);
  } catch (error) {
    done();
    throw error;
  }
}
