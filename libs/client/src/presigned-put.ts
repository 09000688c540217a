import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PutAnswer {
  status: number;
  body: string;
}

/**
 * PUTs bodies to presigned URLs over kept-alive connections. node:http rather than fetch: fetch
 * copies a Buffer body before sending it and again through web streams, which measured at about a
 * third of the client's CPU in a 1 GiB direct upload (docs/benchmarks.md); here the body goes to
 * the socket as it is.
 */
export class PresignedPut {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(
    connections: number,
    private readonly idleTimeoutMs = 60_000,
  ) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets: connections });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: connections });
  }

  put(url: string, headers: Record<string, string>, body: Buffer): Promise<PutAnswer> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: 'PUT',
          agent: secure ? this.https : this.http,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (response) => void answerOf(response).then(resolve, reject),
      );
      request.setTimeout(this.idleTimeoutMs, () =>
        request.destroy(new Error(`no answer for ${this.idleTimeoutMs} ms`)),
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

async function answerOf(response: IncomingMessage): Promise<PutAnswer> {
  const pieces: Buffer[] = [];
  for await (const piece of response) pieces.push(piece as Buffer);
  return { status: response.statusCode ?? 0, body: Buffer.concat(pieces).toString('utf8') };
}
