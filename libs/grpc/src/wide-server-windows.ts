import http2 from 'node:http2';
import { HTTP2_WINDOWS } from '@tessera/grpc-client';

/** A server's HTTP/2 windows and frame size (HTTP2_WINDOWS unless a server asks for wider ones). */
export type ServerWindows = typeof HTTP2_WINDOWS;

function withServerSettings(
  options: http2.ServerOptions | undefined,
  windows: ServerWindows,
): http2.ServerOptions {
  return {
    ...options,
    settings: {
      ...options?.settings,
      initialWindowSize: windows.streamBytes,
      maxFrameSize: windows.frameBytes,
    },
  };
}

/** Marks, on node:http2 itself (Jest loads this file once per test file), how many binds are running. */
const BINDING = Symbol.for('tessera.http2-windows.binding');
interface Binding {
  count: number;
  original: typeof http2.createServer;
  /** The widest windows of the binds running: binds that overlap get the same. */
  windows: ServerWindows;
}
type Marked = typeof http2 & { [BINDING]?: Binding };

function widest(a: ServerWindows, b: ServerWindows): ServerWindows {
  return {
    streamBytes: Math.max(a.streamBytes, b.streamBytes),
    connectionBytes: Math.max(a.connectionBytes, b.connectionBytes),
    frameBytes: Math.max(a.frameBytes, b.frameBytes),
  };
}

/**
 * Runs `bind` (our gRPC server's bindAsync) with node:http2's createServer giving the servers it
 * makes wider windows and frames, and restores createServer when it has bound. Chunks are 8 MiB
 * gRPC messages sent on through two hops: with HTTP/2's default 64 KiB windows and 16 KiB frames
 * every chunk costs hundreds of frames and window updates per hop (docs/benchmarks.md). grpc-js has
 * no server option for these settings, so this stays, scoped to our own servers while they bind:
 * clients, the OTLP exporter's included, are never touched. Memory stays bounded: at most
 * `connectionBytes` unread per connection, `streamBytes` per stream.
 */
export function whileBindingWideServers<T>(
  bind: (done: () => void) => T,
  windows: ServerWindows = HTTP2_WINDOWS,
): T {
  const marked = http2 as Marked;
  const binding = (marked[BINDING] ??= { count: 0, original: http2.createServer, windows });
  binding.windows = binding.count === 0 ? windows : widest(binding.windows, windows);
  if (binding.count++ === 0) {
    http2.createServer = ((options: http2.ServerOptions, listener?: () => void) => {
      const { windows: bound } = binding;
      const server = binding.original(withServerSettings(options, bound), listener);
      server.on('session', (session: http2.Http2Session) => {
        if (!session.destroyed) session.setLocalWindowSize(bound.connectionBytes);
      });
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
