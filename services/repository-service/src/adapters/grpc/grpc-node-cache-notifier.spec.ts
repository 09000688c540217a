import { status, type Client } from '@grpc/grpc-js';
import type { internalV1 } from '@tessera/contracts';
import type { NodeVersion } from '@tessera/nodes';
import { GrpcNodeCacheNotifier } from './grpc-node-cache-notifier';

/** A client whose RefreshNode fails with `code` every time, counting the calls. */
function failingClient(code: status) {
  const calls = { count: 0 };
  const client = {
    RefreshNode: (
      _request: unknown,
      _metadata: unknown,
      _options: unknown,
      callback: (error: Error) => void,
    ) => {
      calls.count++;
      setImmediate(() => callback(Object.assign(new Error('failed'), { code })));
    },
  } as unknown as Client;
  return { client, calls };
}

describe('GrpcNodeCacheNotifier', () => {
  const options = { attempts: 3, timeoutMs: 100 };

  it('gives up after `attempts` failed calls', async () => {
    const { client, calls } = failingClient(status.DEADLINE_EXCEEDED);
    const notifier = new GrpcNodeCacheNotifier(client, { delayDuring: () => 0 }, options);
    await expect(notifier.nodeChanged('n')).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(calls.count).toBe(3);
  });

  it('does not count deadlines that passed while its own event loop was delayed (at most `attempts` of them)', async () => {
    const { client, calls } = failingClient(status.DEADLINE_EXCEEDED);
    const failures: { attempt: number; excused: boolean; loopDelayMs: number }[] = [];
    const notifier = new GrpcNodeCacheNotifier(
      client,
      { delayDuring: () => 60 },
      { ...options, onAttemptFailed: (failure) => failures.push(failure) },
    );
    await expect(notifier.nodeChanged('n')).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(calls.count).toBe(6);
    expect(failures.map(({ attempt, excused }) => `${attempt}${excused ? ' excused' : ''}`)).toEqual([
      '1 excused',
      '1 excused',
      '1 excused',
      '1',
      '2',
      '3',
    ]);
    expect(failures.every(({ loopDelayMs }) => loopDelayMs === 60)).toBe(true);
  });

  it('counts every other failure whatever the loop delay', async () => {
    const { client, calls } = failingClient(status.UNAVAILABLE);
    const notifier = new GrpcNodeCacheNotifier(client, { delayDuring: () => 60 }, options);
    await expect(notifier.nodeChanged('n')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(calls.count).toBe(3);
  });

  it('hands the written version over, so the metadata service need not read it back', async () => {
    const requests: internalV1.RefreshNodeRequest[] = [];
    const client = {
      RefreshNode: (
        request: internalV1.RefreshNodeRequest,
        _metadata: unknown,
        _options: unknown,
        callback: (error: null, response: object) => void,
      ) => {
        requests.push(request);
        setImmediate(() => callback(null, {}));
      },
    } as unknown as Client;
    const notifier = new GrpcNodeCacheNotifier(client, { delayDuring: () => 0 }, options);
    const node: NodeVersion = {
      nodeId: 'n',
      version: 3,
      driveId: 'd',
      name: 'a.bin',
      size: 5,
      sha256: 'a'.repeat(64),
      mimeType: 'application/octet-stream',
      userMetadata: {},
      bucket: 'b',
      objectKey: 'd/n',
      objectVersionId: undefined,
      etag: '"e"',
      partSizes: [5],
      partSha256: [],
      sha256VerifiedBy: 'service',
      uploadId: 'u',
      createdAt: new Date(0),
    };
    await notifier.versionWritten(node);
    await notifier.nodeChanged('gone');
    expect(requests.map((r) => [r.nodeId, r.written?.version, r.writtenByUploadId])).toEqual([
      ['n', 3n, 'u'],
      ['gone', undefined, ''],
    ]);
  });
});
