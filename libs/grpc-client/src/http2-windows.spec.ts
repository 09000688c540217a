import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { HTTP2_WINDOWS, widenHttp2Windows } from './http2-windows';

describe('widenHttp2Windows', () => {
  it('makes servers and clients announce the wider stream window and frame size, and widen the connection', async () => {
    widenHttp2Windows();
    widenHttp2Windows(); // idempotent
    const server = http2.createServer();
    const serverSession = new Promise<http2.ServerHttp2Session>((resolve) =>
      server.once('session', (session) => session.once('remoteSettings', () => resolve(session))),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      await once(client, 'remoteSettings');
      const session = await serverSession;
      for (const settings of [client.remoteSettings, session.remoteSettings]) {
        expect(settings).toMatchObject({
          initialWindowSize: HTTP2_WINDOWS.streamBytes,
          maxFrameSize: HTTP2_WINDOWS.frameBytes,
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(client.state.localWindowSize).toBe(HTTP2_WINDOWS.connectionBytes);
      expect(session.state.localWindowSize).toBe(HTTP2_WINDOWS.connectionBytes);
    } finally {
      client.close();
      server.close();
    }
  });
});
