import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeLifecycleMessage } from '@tessera/events';
import { TidbOutbox } from '../../adapters/tidb/tidb-outbox';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { NodeDeleter } from '../maintenance/node-deleter';
import { ObjectAssembler } from '../completion/object-assembler';
import type { OutboxRecord } from '../ports/outbox.port';
import { UploadCompleter } from '../completion/upload-completer';
import { UploadSessions } from '../uploads/upload-sessions';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const STAGING = '.staging/';

/** Which lifecycle event each change writes to the outbox, in the change's own transaction. */
describe('lifecycle events in the outbox (TiDB, MinIO)', () => {
  let stack: RealStack;
  let outbox: TidbOutbox;
  let sessions: UploadSessions;
  let completer: UploadCompleter;
  let deleter: NodeDeleter;

  beforeAll(async () => {
    stack = await openRealStack('lifecycle_events');
    outbox = new TidbOutbox(stack.pool);
    sessions = new UploadSessions(stack.uploads, stack.nodes, stack.objects, {
      objectKeyTemplate: '{drive_id}/{node_id}',
      stagingPrefix: STAGING,
    });
    const noCache = { versionWritten: async () => undefined, nodeChanged: async () => undefined };
    const assembler = new ObjectAssembler(stack.objects, { stagingPrefix: STAGING, concurrency: 2 });
    completer = new UploadCompleter(stack.uploads, stack.nodes, stack.objects, assembler, noCache);
    deleter = new NodeDeleter(stack.uploads, sessions, stack.nodes, stack.objects, noCache);
  });

  afterAll(() => stack.close());

  /** Takes every pending event out of the outbox, decoded, in outbox order. */
  async function takeEvents() {
    const taken: OutboxRecord[] = [];
    while ((await outbox.drain(100, async (records) => void taken.push(...records))) !== 0);
    return taken.map((record) => ({ record, ...decodeLifecycleMessage(record.type, record.payload) }));
  }

  async function initiate(name: string, idempotencyKey?: string) {
    return sessions.initiate({
      driveId: 'd1',
      name,
      userMetadata: {},
      idempotencyKey,
      mimeType: 'text/plain',
      expectedVersion: undefined,
    });
  }

  async function writeChunk(uploadId: string, chunkNumber: number, data: Buffer) {
    const header = { uploadId, chunkNumber, size: data.length, sha256: sha256(data), force: false };
    await stack.chunkWriter(STAGING).write(header, [data]);
  }

  it('writes UploadInitiated, ChunkUploaded per stored chunk and UploadCompleted with the object', async () => {
    await takeEvents();
    const upload = await initiate(`a-${randomUUID()}.txt`, 'key-1');
    await initiate(upload.name, 'key-1'); // the idempotent retry changes nothing: no second event
    const chunks = [randomBytes(1000), randomBytes(10)];
    await writeChunk(upload.uploadId, 0, chunks[0]!);
    await writeChunk(upload.uploadId, 1, chunks[1]!);
    await writeChunk(upload.uploadId, 1, chunks[1]!); // a duplicate chunk is not stored again
    const node = await completer.complete({ uploadId: upload.uploadId, totalChunks: 2, sha256: undefined });

    const events = await takeEvents();
    expect(events.map((e) => e.type.replace('tessera.events.v1.', ''))).toEqual([
      'UploadInitiated',
      'ChunkUploaded',
      'ChunkUploaded',
      'UploadCompleted',
    ]);
    expect(events.every((e) => e.record.key === upload.nodeId)).toBe(true);
    expect(new Set(events.map((e) => e.record.eventId)).size).toBe(4);
    expect(events.map((e) => e.message.eventId)).toEqual(events.map((e) => e.record.eventId));
    expect(events[0]!.message).toMatchObject({
      nodeId: upload.nodeId,
      uploadId: upload.uploadId,
      name: upload.name,
    });
    expect(events[2]!.message).toMatchObject({ chunkNumber: 1n, size: 10n, sha256: sha256(chunks[1]!) });
    expect(events[3]!.message).toMatchObject({
      version: 1n,
      object: {
        bucket: stack.objects.bucket,
        key: node.objectKey,
        versionId: node.objectVersionId,
        etag: node.etag,
        size: 1010n,
        sha256: sha256(Buffer.concat(chunks)),
      },
    });
  });

  it('writes NodeDeleted, with the drive and the upload of the latest version', async () => {
    const kept = await initiate(`d-${randomUUID()}.txt`);
    await writeChunk(kept.uploadId, 0, randomBytes(5));
    const node = await completer.complete({ uploadId: kept.uploadId, totalChunks: 1, sha256: undefined });
    await takeEvents();
    await deleter.delete(node.nodeId);

    const events = await takeEvents();
    expect(events.map((e) => [e.type.replace('tessera.events.v1.', ''), e.record.key])).toEqual([
      ['NodeDeleted', node.nodeId],
    ]);
    expect(events[0]!.message).toMatchObject({ driveId: 'd1', uploadId: kept.uploadId });
  });

  it('writes UploadFailed for a failed completion and UploadAborted for an abort, once', async () => {
    await takeEvents();
    const failing = await initiate(`e-${randomUUID()}.txt`);
    await writeChunk(failing.uploadId, 0, randomBytes(5));
    await completer
      .complete({ uploadId: failing.uploadId, totalChunks: 1, sha256: 'f'.repeat(64) })
      .catch((error: Error) => expect(error.message).toContain('the client expected'));
    const aborted = await initiate(`g-${randomUUID()}.txt`);
    await sessions.abort(aborted.uploadId);
    await sessions.abort(aborted.uploadId); // already aborted: no second event
    const types = (await takeEvents()).map(
      (e) => `${e.type.replace('tessera.events.v1.', '')} ${e.record.key}`,
    );
    expect(types).toEqual([
      `UploadInitiated ${failing.nodeId}`,
      `ChunkUploaded ${failing.nodeId}`,
      `UploadFailed ${failing.nodeId}`,
      `UploadInitiated ${aborted.nodeId}`,
      `UploadAborted ${aborted.nodeId}`,
    ]);
  });
});
