import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { HTTP2_WINDOWS } from '@tessera/grpc-client';
import { whileBindingWideServers } from './wide-server-windows';

async function settingsSeenByAClient(server: http2.Http2Server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await once(client, 'remoteSettings');
    await new Promise((resolve) => setImmediate(resolve));
    return { remote: client.remoteSettings, local: client.localSettings };
  } finally {
    client.close();
    server.close();
  }
}

describe('whileBindingWideServers', () => {
  const original = http2.createServer;

  it('gives the servers created while binding the wider stream window and frame size', async () => {
    const server = whileBindingWideServers((bound) => {
      const created = http2.createServer();
      bound();
      return created;
    });
    const { remote } = await settingsSeenByAClient(server);
    expect(remote).toMatchObject({
      initialWindowSize: HTTP2_WINDOWS.streamBytes,
      maxFrameSize: HTTP2_WINDOWS.frameBytes,
    });
  });

  it('gives a server that asks for wider windows those (the repository service: a batch per stream)', async () => {
    const windows = { ...HTTP2_WINDOWS, streamBytes: 8 * 1024 * 1024, connectionBytes: 32 * 1024 * 1024 };
    const server = whileBindingWideServers((bound) => {
      const created = http2.createServer();
      bound();
      return created;
    }, windows);
    const { remote } = await settingsSeenByAClient(server);
    expect(remote.initialWindowSize).toBe(8 * 1024 * 1024);
  });

  it('leaves node:http2 as it was once bound, so nothing else in the process is changed', async () => {
    whileBindingWideServers((bound) => bound());
    expect(http2.createServer).toBe(original);
    const { remote, local } = await settingsSeenByAClient(http2.createServer());
    expect(remote.maxFrameSize).toBe(16 * 1024);
    expect(local.maxFrameSize).toBe(16 * 1024);
  });

  it('restores createServer only when the last of overlapping binds is done, and after a throw', () => {
    whileBindingWideServers((first) => {
      whileBindingWideServers((second) => second());
      expect(http2.createServer).not.toBe(original);
      first();
    });
    expect(http2.createServer).toBe(original);
    expect(() =>
      whileBindingWideServers(() => {
        throw new Error('bind failed');
      }),
    ).toThrow('bind failed');
    expect(http2.createServer).toBe(original);
  });
});
