import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of an S3 server that answers every `everyNth` request itself with
 * 503 SlowDown (S3's "reduce your request rate"), as S3 does under load, and passes the rest on
 * unchanged (the Host header too, so request signatures stay valid).
 */
export class S3FaultProxy {
  private requests = 0;
  private refusedCount = 0;
  private server: Server | undefined;
  url = '';

  private constructor(private readonly everyNth: number) {}

  static async start(upstream: string, everyNth: number): Promise<S3FaultProxy> {
    const proxy = new S3FaultProxy(everyNth);
    await proxy.listen(new URL(upstream));
    return proxy;
  }

  private async listen(target: URL): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      if (this.refuse()) {
        incoming.resume();
        incoming.once('end', () => {
          outgoing.writeHead(503, { 'Content-Type': 'application/xml', 'Retry-After': '0' });
          outgoing.end(
            '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>injected</Message></Error>',
          );
        });
        return;
      }
      const forwarded = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Requests answered with 503 so far, and all requests seen. */
  get counts(): { refused: number; total: number } {
    return { refused: this.refusedCount, total: this.requests };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private refuse(): boolean {
    this.requests += 1;
    if (this.requests % this.everyNth !== 0) return false;
    this.refusedCount += 1;
    return true;
  }
}
