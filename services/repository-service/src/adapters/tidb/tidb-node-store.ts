import { createHash } from 'node:crypto';
import { nodeVersionFromRow } from '@tessera/nodes';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { NewNodeVersion, NodeStore, NodeVersion } from '../../domain/ports/node-store.port';
import type { LifecycleEvent } from '../../domain/events/lifecycle-event';
import type { NewUpload } from '../../domain/ports/upload-store.port';
import { appendToOutbox } from './tidb-outbox';
import { inPessimisticTransaction, isDuplicateKey } from './tidb-transaction';
import { appendVersion, recordWholeUploadIn } from './tidb-version-rows';

function nameHash(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** NodeStore in TiDB (tables node_names and nodes, see migrations.ts). */
export class TidbNodeStore implements NodeStore {
  constructor(private readonly pool: Pool) {}

  async resolveNodeId(driveId: string, name: string, candidate: string): Promise<string> {
    try {
      await this.pool.execute(
        'INSERT INTO node_names (node_id, drive_id, name, name_sha256) VALUES (?, ?, ?, ?)',
        [candidate, driveId, name, nameHash(name)],
      );
      return candidate;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const [rows] = await this.pool.execute<RowDataPacket[]>(
        'SELECT node_id FROM node_names WHERE drive_id = ? AND name_sha256 = ?',
        [driveId, nameHash(name)],
      );
      if (!rows[0]) throw error;
      return rows[0]['node_id'] as string;
    }
  }

  async recordCompletion(
    node: NewNodeVersion,
    expectedVersion: number | undefined,
    announce: (recorded: NodeVersion) => LifecycleEvent,
  ): Promise<NodeVersion | undefined> {
    return inPessimisticTransaction(this.pool, async (connection) => {
      const [completed] = await connection.execute<ResultSetHeader>(
        `UPDATE uploads SET state = 'COMPLETED' WHERE upload_id = ? AND state = 'COMPLETING'`,
        [node.uploadId],
      );
      if (completed.affectedRows !== 1) return undefined;
      return appendVersion(connection, node, expectedVersion, announce);
    });
  }

  async recordWholeUpload(
    upload: NewUpload,
    node: NewNodeVersion,
    events: { initiated: LifecycleEvent; completed: (recorded: NodeVersion) => LifecycleEvent },
  ): Promise<NodeVersion | undefined> {
    try {
      return await recordWholeUploadIn(this.pool, upload, node, events);
    } catch (error) {
      if (upload.idempotencyKey !== undefined && isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  async deleteNode(
    nodeId: string,
    announce: (driveId: string, versions: NodeVersion[]) => LifecycleEvent,
  ): Promise<{ existed: boolean; versions: NodeVersion[] }> {
    return inPessimisticTransaction(this.pool, async (connection) => {
      const [names] = await connection.execute<RowDataPacket[]>(
        'SELECT drive_id FROM node_names WHERE node_id = ? FOR UPDATE',
        [nodeId],
      );
      if (!names[0]) return { existed: false, versions: [] };
      const [rows] = await connection.execute<RowDataPacket[]>(
        'SELECT * FROM nodes WHERE node_id = ? ORDER BY version DESC',
        [nodeId],
      );
      await connection.execute('DELETE FROM nodes WHERE node_id = ?', [nodeId]);
      await connection.execute('DELETE FROM node_names WHERE node_id = ?', [nodeId]);
      const versions = rows.map(nodeVersionFromRow);
      await appendToOutbox(connection, announce(names[0]['drive_id'] as string, versions));
      return { existed: true, versions };
    });
  }

  async latestVersion(nodeId: string): Promise<number> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT latest_version FROM node_names WHERE node_id = ?',
      [nodeId],
    );
    return Number(rows[0]?.['latest_version'] ?? 0);
  }

  async findVersion(nodeId: string, version: number): Promise<NodeVersion | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT * FROM nodes WHERE node_id = ? AND version = ?',
      [nodeId, version],
    );
    return rows[0] ? nodeVersionFromRow(rows[0]) : undefined;
  }

  async findVersionOfUpload(uploadId: string): Promise<NodeVersion | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>('SELECT * FROM nodes WHERE upload_id = ?', [
      uploadId,
    ]);
    return rows[0] ? nodeVersionFromRow(rows[0]) : undefined;
  }
}
