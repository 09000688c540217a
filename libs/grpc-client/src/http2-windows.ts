import http2 from 'node:http2';

const KiB = 1024;
const MiB = 1024 * KiB;

/** What Tessera's gRPC connections announce; Node's (and so grpc-js's) defaults are 64 KiB and 16 KiB. */
export const HTTP2_WINDOWS = {
  /** Bytes a peer may send on one stream before we have read them (HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE). */
  streamBytes: 1 * MiB,
  /** Bytes a peer may send on one connection, all streams together, before we have read them. */
  connectionBytes: 8 * MiB,
  /** Largest DATA frame a peer may send us (SETTINGS_MAX_FRAME_SIZE). */
  frameBytes: 1 * MiB,
};

/**
 * Marks node:http2 as wrapped. On the module itself, not in this file: a process can load this file
 * more than once (Jest gives each test file its own module registry) but has one node:http2.
 */
const WIDENED = Symbol.for('tessera.http2-windows');

function withSettings<Options extends object>(options: Options | undefined): Options {
  const settings = (options as { settings?: http2.Settings } | undefined)?.settings;
  return {
    ...options,
    settings: {
      ...settings,
      initialWindowSize: HTTP2_WINDOWS.streamBytes,
      maxFrameSize: HTTP2_WINDOWS.frameBytes,
    },
  } as Options;
}

function widenConnection(session: http2.Http2Session): void {
  if (!session.destroyed) session.setLocalWindowSize(HTTP2_WINDOWS.connectionBytes);
}

/**
 * Chunks are 8 MiB gRPC messages, sent on through two hops. With HTTP/2's default 64 KiB windows
 * and 16 KiB frames every chunk costs hundreds of frames and window updates per hop, and grpc-js
 * has no server option to change them (docs/benchmarks.md measures the difference). This widens
 * them for every HTTP/2 server and client connection the process makes from now on, by wrapping
 * node:http2's createServer and connect, which grpc-js calls. Idempotent. Memory stays bounded:
 * at most `connectionBytes` unread per connection, `streamBytes` per stream.
 */
export function widenHttp2Windows(): void {
  const marked = http2 as unknown as Record<symbol, boolean>;
  if (marked[WIDENED]) return;
  marked[WIDENED] = true;
  const createServer = http2.createServer;
  http2.createServer = ((options: http2.ServerOptions, listener?: () => void) => {
    const server = createServer(withSettings(options), listener);
    server.on('session', widenConnection);
    return server;
  }) as typeof http2.createServer;
  const connect = http2.connect;
  http2.connect = ((authority: string | URL, options?: http2.ClientSessionOptions, listener?: () => void) => {
    const session = connect(authority, withSettings(options), listener);
    session.once('remoteSettings', () => widenConnection(session));
    return session;
  }) as typeof http2.connect;
}
