import { connect, constants, type ClientHttp2Session } from 'node:http2';
import type { Outcome } from './fuzz-case';
import { CALL_DEADLINE_MS } from './raw-grpc-client';

/** A gRPC length-prefixed message frame whose header claims `claimedLength` (true or not). */
export function grpcFrame(message: Buffer, claimedLength = message.length, compressed = false): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(compressed ? 1 : 0, 0);
  header.writeUInt32BE(claimedLength, 1);
  return Buffer.concat([header, message]);
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface FramedRequest {
  path: string;
  /** Bytes sent on the HTTP/2 stream as they are. */
  body: Buffer;
  /** After the body: half-close, reset the stream (a client cancelling), or keep it open. */
  then: 'end' | 'reset' | 'hold';
}

/**
 * gRPC at the HTTP/2 level, for what grpc-js's client never sends: frames whose length prefix
 * lies (huge, or longer than the bytes that follow), cut-off frame headers, streams reset mid-message.
 * Each request has a connection of its own, as separate clients would: a server may close a
 * connection whose client resets many streams (HTTP/2 rapid-reset protection).
 */
export class RawGrpcFrames {
  private readonly sessions = new Set<ClientHttp2Session>();

  constructor(private readonly address: string) {}

  close(): void {
    this.sessions.forEach((session) => session.destroy());
  }

  async send(request: FramedRequest): Promise<Outcome> {
    const session = connect(`http://${this.address}`);
    session.on('error', () => undefined); // the stream reports how the request ended
    this.sessions.add(session);
    try {
      return await this.sendOn(session, request);
    } finally {
      session.destroy();
      this.sessions.delete(session);
    }
  }

  private sendOn(session: ClientHttp2Session, request: FramedRequest): Promise<Outcome> {
    return new Promise((resolve) => {
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: request.path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${CALL_DEADLINE_MS}m`,
      });
      let grpcStatus: string | undefined;
      let details = '';
      let retryAfter: string | undefined;
      const timer = setTimeout(() => {
        stream.close(constants.NGHTTP2_CANCEL);
        resolve({ kind: 'timeout', afterMs: CALL_DEADLINE_MS });
      }, CALL_DEADLINE_MS);
      const finish = (outcome: Outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const take = (headers: Record<string, unknown>) => {
        if (headers['grpc-message'] !== undefined) details = percentDecoded(String(headers['grpc-message']));
        if (headers['retry-after'] !== undefined) retryAfter = String(headers['retry-after']);
        if (headers['grpc-status'] === undefined) return;
        grpcStatus = String(headers['grpc-status']);
        finish({ kind: 'grpc', code: Number(grpcStatus), details, retryAfter });
        stream.close(); // a client still holding its side open lets go once the status is in
      };
      stream.on('response', take);
      stream.on('trailers', take);
      stream.on('data', () => undefined);
      stream.on('error', () => undefined); // the close event below reports the end
      stream.on('close', () => {
        if (grpcStatus !== undefined) return;
        if (request.then === 'reset') {
          finish({ kind: 'cancelled-by-client' });
        } else {
          finish({ kind: 'closed', error: `stream closed with code ${stream.rstCode} and no grpc-status` });
        }
      });
      stream.write(request.body, () => {
        if (request.then === 'end') stream.end();
        if (request.then === 'reset') stream.close(constants.NGHTTP2_CANCEL);
      });
    });
  }
}
