import { connect } from 'node:net';
import type { Outcome } from './fuzz-case';

export interface HttpTarget {
  host: string;
  port: number;
}

/**
 * Every HTTP case must be answered within this long: no answer is a hang. A `PUT /write` is a whole
 * upload, three calls to the repository one after another; with a CPU hog on both cores and the
 * other suites beside it, each took 0.5–2.7 s (traced in Jaeger) and 5 of 178 writes passed 10 s.
 */
export const HTTP_DEADLINE_MS = 30_000;

export type HeaderValue = string | Buffer;

/**
 * An HTTP/1.1 request as bytes, exactly as given: no path normalisation or header validation, so
 * it can carry what fetch refuses to send. `Connection: close` is added unless a header names it.
 */
export function httpRequestBytes(
  method: string,
  path: string,
  headers: [string, HeaderValue][],
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const all: [string, HeaderValue][] = [['Host', 'fuzz'], ...headers];
  if (!headers.some(([name]) => name.toLowerCase() === 'connection')) all.push(['Connection', 'close']);
  const lines = all.map(([name, value]) =>
    Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value), CRLF]),
  );
  return Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\n`, 'latin1'), ...lines, CRLF, body]);
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

interface ParsedResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** The first final (non-1xx) response in `bytes`, or undefined while its head is incomplete. */
function parseResponse(bytes: Buffer): ParsedResponse | undefined {
  let rest = bytes;
  for (;;) {
    const end = rest.indexOf(HEAD_END);
    if (end < 0) return undefined;
    const [statusLine = '', ...headerLines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    rest = rest.subarray(end + HEAD_END.length);
    if (status >= 100 && status < 200) continue; // 100 Continue and friends precede the answer
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const chunked = headers.get('transfer-encoding')?.toLowerCase() === 'chunked';
    return { status, headers, body: chunked ? dechunked(rest) : rest };
  }
}

/** The payload of a chunked body (as far as it arrived). */
function dechunked(bytes: Buffer): Buffer {
  const pieces: Buffer[] = [];
  let rest = bytes;
  for (;;) {
    const lineEnd = rest.indexOf(CRLF);
    if (lineEnd < 0) break;
    const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    pieces.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    rest = rest.subarray(lineEnd + 2 + size + 2);
  }
  return Buffer.concat(pieces);
}

/**
 * Sends raw request bytes and reads until the server closes the connection. `halfClose` ends the
 * client's side after sending (a request cut short); otherwise the server closes after answering.
 */
export function sendRawHttp(
  target: HttpTarget,
  method: string,
  request: Buffer,
  { halfClose = false }: { halfClose?: boolean } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(target.port, target.host);
    const received: Buffer[] = [];
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const answer = (error: string) => {
      const response = parseResponse(Buffer.concat(received));
      if (!response) return settle({ kind: 'closed', error });
      const retryAfter = response.headers.get('retry-after');
      settle({
        kind: 'http',
        method,
        status: response.status,
        body: response.body.toString('utf8'),
        retryAfter,
      });
    };
    const timer = setTimeout(() => settle({ kind: 'timeout', afterMs: HTTP_DEADLINE_MS }), HTTP_DEADLINE_MS);
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('end', () => answer('closed by the server'));
    socket.on('error', (error) => answer(error.message));
    socket.on('close', () => answer('closed'));
    socket.write(request, () => {
      if (halfClose) socket.end();
    });
  });
}
