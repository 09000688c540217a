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
 * The client side, by grpc-js's own channel option. grpc-js announces one value as both the stream
 * and the connection window: the stream's 1 MiB, so a download a client stops reading still holds at
 * most 1 MiB per connection below the client library's own buffer. grpc-js has no option for the
 * frame size, so servers send our clients frames of Node's default 16 KiB.
 */
export const CLIENT_FLOW_CONTROL = { 'grpc-node.flow_control_window': HTTP2_WINDOWS.streamBytes };
