import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ErrorCode } from '@tessera/errors';
import { decodeLifecycleMessage } from '@tessera/events';
import { TidbOutbox } from '../../adapters/tidb/tidb-outbox';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { OneCallUploads, type OneCallUploadRequest } from './one-call-uploads';
import type { OutboxRecord } from '../ports/outbox.port';
import { UploadSessions } from './upload-sessions';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('OneCallUploads with TiDB and MinIO', () => {
  let stack: RealStack;
  let outbox: TidbOutbox;
  let oneCall: OneCallUploads;
  const changed: string[] = [];

  beforeAll(async () => {
    stack = await openRealStack('one_call');
    outbox = new TidbOutbox(stack.pool);
    oneCall = new OneCallUploads(
      stack.uploads,
      stack.nodes,
      stack.objects,
      {
        versionWritten: async (node) => void changed.push(node.nodeId),
        nodeChanged: async (nodeId) => void changed.push(nodeId),
      },
      { run: (write) => write() },
      { objectKeyTemplate: '{drive_id}/{node_id}/{upload_id}', maxBytes: 64 * 1024 },
    );
  });

  afterAll(() => stack.close());

  async function takeEvents() {
    const taken: OutboxRecord[] = [];
    while ((await outbox.drain(100, async (records) => void taken.push(...records))) !== 0);
    return taken.map((record) => ({ record, ...decodeLifecycleMessage(record.type, record.payload) }));
  }

  const request = (overrides: Partial<OneCallUploadRequest> = {}): OneCallUploadRequest => ({
    name: `small-${randomUUID()}.txt`,
    driveId: 'd1',
    mimeType: 'text/plain',
    userMetadata: { team: 'a' },
    idempotencyKey: undefined,
    expectedVersion: undefined,
    data: randomBytes(4096),
    sha256: undefined,
    ...overrides,
  });

  async function objectsUnder(prefix: string): Promise<string[]> {
    return (await stack.versionsUnder(prefix)).map((entry) => entry.split('@')[0]!);
  }

  it('stores the file, records version 1 with both events in one go, and refreshes the cache', async () => {
    await takeEvents();
    const file = request();
    const node = await oneCall.upload({ ...file, sha256: sha256(file.data) });

    expect(node).toMatchObject({ version: 1, size: 4096, sha256: sha256(file.data), mimeType: 'text/plain' });
    expect(node.userMetadata).toEqual({ team: 'a' });
    const stored = await buffer(await stack.objects.readRange(node.objectKey, 0, 4096, node.objectVersionId));
    expect(stored.equals(Buffer.from(file.data))).toBe(true);
    expect(changed).toContain(node.nodeId);
    expect((await stack.uploads.findUpload(node.uploadId))?.state).toBe('COMPLETED');
    const events = await takeEvents();
    expect(events.map((e) => e.type.replace('tessera.events.v1.', ''))).toEqual([
      'UploadInitiated',
      'UploadCompleted',
    ]);
    expect(events.every((e) => e.record.key === node.nodeId)).toBe(true);
  });

  it('answers a retry with the same idempotency key with the version the first call recorded', async () => {
    const file = request({ idempotencyKey: `key-${randomUUID()}` });
    const first = await oneCall.upload(file);
    const again = await oneCall.upload(file);
    expect(again).toEqual(first);
    const racing = request({ idempotencyKey: `key-${randomUUID()}` });
    const [a, b] = await Promise.all([oneCall.upload(racing), oneCall.upload(racing)]);
    expect(a.version).toBe(1);
    expect(b).toEqual(a);
    expect(await stack.nodes.latestVersion(a.nodeId)).toBe(1);
    expect(await objectsUnder(`d1/${a.nodeId}/`)).toHaveLength(1); // the loser's object was removed
  });

  it('refuses a write that expected another version with CONFLICT and leaves no object behind', async () => {
    const first = await oneCall.upload(request({ name: `v-${randomUUID()}.txt` }));
    const second = await oneCall.upload(request({ name: first.name, expectedVersion: 1 }));
    expect(second.version).toBe(2);
    await expect(oneCall.upload(request({ name: first.name, expectedVersion: 1 }))).rejects.toMatchObject({
      code: ErrorCode.Conflict,
      message: expect.stringContaining('is at version 2, but this write expected version 1'),
    });
    expect(await objectsUnder(`d1/${first.nodeId}/`)).toHaveLength(2);
  });

  it('stores an empty file', async () => {
    const node = await oneCall.upload(request({ data: new Uint8Array(0) }));
    expect(node).toMatchObject({ size: 0, partSizes: [] });
  });

  it('refuses bytes that do not match their SHA-256, and files over the one-call size, storing nothing', async () => {
    const file = request();
    await expect(oneCall.upload({ ...file, sha256: sha256(randomBytes(10)) })).rejects.toMatchObject({
      code: ErrorCode.DataLoss,
    });
    await expect(oneCall.upload({ ...file, sha256: 'ABC' })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining('sha256'),
    });
    await expect(oneCall.upload(request({ data: randomBytes(64 * 1024 + 1) }))).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringMatching(/^data: must be at most 65536 bytes in one call/),
    });
    await expect(oneCall.upload(request({ driveId: '' }))).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining('drive_id'),
    });
    expect(await stack.nodes.resolveNodeId('d1', file.name, 'unused')).toBe('unused'); // the name is new still
  });

  it('keeps an idempotency key used by an upload in chunks to that upload', async () => {
    const sessions = new UploadSessions(stack.uploads, stack.nodes, stack.objects, {
      objectKeyTemplate: '{drive_id}/{node_id}/{upload_id}',
      stagingPrefix: '.staging/',
    });
    const key = `key-${randomUUID()}`;
    const chunked = await sessions.initiate({ ...request(), idempotencyKey: key });
    await expect(oneCall.upload(request({ name: chunked.name, idempotencyKey: key }))).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
      message: expect.stringContaining('was already used for an upload in chunks'),
    });
  });
});
