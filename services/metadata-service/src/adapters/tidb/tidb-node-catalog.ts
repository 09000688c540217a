import { nodeVersionFromRow, type NodeVersion } from '@tessera/nodes';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { NodeCatalog } from '../../domain/node-catalog.port';

// The latest version of each node: node_names.latest_version names it (0 until the first completes).
const LATEST = `SELECT n.* FROM node_names nn
  JOIN nodes n ON n.node_id = nn.node_id AND n.version = nn.latest_version`;

/** NodeCatalog over the repository service's tables in TiDB (read only). */
export class TidbNodeCatalog implements NodeCatalog {
  constructor(private readonly pool: Pool) {}

  async latest(nodeId: string): Promise<NodeVersion | undefined> {
    return (await this.select(`${LATEST} WHERE nn.node_id = ?`, [nodeId]))[0];
  }

  async version(nodeId: string, version: number): Promise<NodeVersion | undefined> {
    return (await this.select('SELECT * FROM nodes WHERE node_id = ? AND version = ?', [nodeId, version]))[0];
  }

  listLatest(driveId: string, afterNodeId: string, limit: number): Promise<NodeVersion[]> {
    return this.select(`${LATEST} WHERE nn.drive_id = ? AND nn.node_id > ? ORDER BY nn.node_id LIMIT ?`, [
      driveId,
      afterNodeId,
      limit,
    ]);
  }

  versions(nodeId: string): Promise<NodeVersion[]> {
    return this.select('SELECT * FROM nodes WHERE node_id = ? ORDER BY version DESC', [nodeId]);
  }

  private async select(sql: string, values: (string | number)[]): Promise<NodeVersion[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(sql, values);
    return rows.map(nodeVersionFromRow);
  }
}
