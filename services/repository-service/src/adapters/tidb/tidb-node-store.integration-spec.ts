import { randomUUID } from 'node:crypto';
import { createTidbPool, migrate } from '@tessera/sql';
import { stackEndpoints } from '@tessera/testing';
import type { Pool } from 'mysql2/promise';
import type { NewNodeVersion } from '../../domain/ports/node-store.port';
import { MIGRATIONS } from './migrations';
import { TidbNodeStore } from './tidb-node-store';
import { TidbUploadStore } from './tidb-upload-store';
import { lifecycleEvent } from '../../domain/events/lifecycle-event';
import { initiating, testUpload } from '../../testing/uploads.fixture';

describe('TidbNodeStore against TiDB', () => {
  const database = `node_store_${Date.now()}`;
  const { tidb } = stackEndpoints();
  let pool: Pool;
  let nodes: TidbNodeStore;
  let uploads: TidbUploadStore;

  beforeAll(async () => {
    const admin = createTidbPool({ ...tidb, password: '', database, connectionLimit: 1 }, false);
    await migrate(admin, { database, migrations: MIGRATIONS, lockTimeoutSeconds: 30 });
    await admin.end();
    pool = createTidbPool({ ...tidb, password: '', database, connectionLimit: 12, multipleStatements: true });
    nodes = new TidbNodeStore(pool);
    uploads = new TidbUploadStore(pool);
  });

  afterAll(() => pool.end());

  /** An upload of `name` in drive d1 that has begun completing. */
  async function completingUpload(name: string): Promise<NewNodeVersion> {
    const nodeId = await nodes.resolveNodeId('d1', name, randomUUID());
    const uploadId = randomUUID();
    await uploads.createUpload(
      ...initiating(testUpload({ uploadId, nodeId, name, mimeType: 'text/plain', userMetadata: { k: 'v' } })),
    );
    expect(await uploads.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined })).toEqual({
      outcome: 'started',
    });
    return {
      nodeId,
      driveId: 'd1',
      name,
      size: 2 ** 40,
      sha256: 'c'.repeat(64),
      mimeType: 'text/plain',
      userMetadata: { k: 'v' },
      bucket: 'b',
      objectKey: `d1/${nodeId}`,
      objectVersionId: undefined,
      etag: '"e-2"',
      partSizes: [8 * 1024 * 1024, 10],
      partSha256: [],
      sha256VerifiedBy: 'service',
      uploadId,
    };
  }

  it('gives every concurrent caller the same node id for a new name', async () => {
    const name = `report-${Date.now()}.pdf`;
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => nodes.resolveNodeId('d1', name, randomUUID())),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await nodes.resolveNodeId('d2', name, 'other-drive-node')).toBe('other-drive-node');
  });

  it('records versions 1, 2, ... of a name and completes each upload once', async () => {
    const first = await completingUpload('a.txt');
    const recorded = await nodes.recordCompletion(first, undefined, lifecycleEvent.uploadCompleted);
    expect(recorded).toMatchObject({ ...first, version: 1 });
    expect(await nodes.findVersion(first.nodeId, 1)).toEqual(recorded);
    expect((await uploads.findUpload(first.uploadId))?.state).toBe('COMPLETED');

    const second = await completingUpload('a.txt');
    expect(second.nodeId).toBe(first.nodeId);
    expect((await nodes.recordCompletion(second, undefined, lifecycleEvent.uploadCompleted))?.version).toBe(
      2,
    );
  });

  it('records nothing for an upload that is not completing, and one version for concurrent calls', async () => {
    const node = await completingUpload(`b-${Date.now()}.txt`);
    const both = await Promise.all([
      nodes.recordCompletion(node, undefined, lifecycleEvent.uploadCompleted),
      nodes.recordCompletion(node, undefined, lifecycleEvent.uploadCompleted),
    ]);
    expect(both.filter((result) => result !== undefined)).toHaveLength(1);
    expect(await nodes.recordCompletion(node, undefined, lifecycleEvent.uploadCompleted)).toBeUndefined();
    expect(await nodes.findVersion(node.nodeId, 2)).toBeUndefined();
  });
});
