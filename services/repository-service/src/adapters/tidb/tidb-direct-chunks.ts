import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { directPartNumber } from '../../domain/completion/assembly-plan';
import type { LifecycleEvent } from '../../domain/events/lifecycle-event';
import type { DirectChunkStore, PlannedChunk, PlanResult } from '../../domain/ports/direct-chunk-store.port';
import { ACCEPTING_STATES } from '../../domain/ports/upload-store.port';
import { outboxInsert } from './tidb-outbox';
import { inOneRoundTrip, inRoundTrip, onTransactionConnection, type Statement } from './tidb-transaction';
import { toUpload, type ChunkRow } from './tidb-upload-rows';

/** DirectChunkStore in TiDB: planned chunks are upload_chunks rows in state PRESIGNED. */
export class TidbDirectChunks implements DirectChunkStore {
  constructor(private readonly pool: Pool) {}

  planChunk(uploadId: string, chunk: PlannedChunk, options: { force: boolean }): Promise<PlanResult> {
    return onTransactionConnection(this.pool, async (connection) => {
      const read = await inRoundTrip(connection, [
        { sql: 'BEGIN PESSIMISTIC', values: [] },
        { sql: 'SELECT * FROM uploads WHERE upload_id = ? FOR UPDATE', values: [uploadId] },
        {
          sql: `SELECT size, sha256, state FROM upload_chunks WHERE upload_id = ? AND chunk_number = ? FOR UPDATE`,
          values: [uploadId, chunk.chunkNumber],
        },
      ]);
      const uploadRow = (read[1] as RowDataPacket[])[0];
      const existing = (read[2] as ChunkRow[])[0];
      const { result, write } = planOf(uploadId, uploadRow, existing, chunk, options.force);
      await inRoundTrip(connection, [...(write ? [write] : []), { sql: 'COMMIT', values: [] }]);
      return result;
    });
  }

  async listPlannedChunks(uploadId: string): Promise<PlannedChunk[]> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT chunk_number, size, sha256 FROM upload_chunks
       WHERE upload_id = ? AND state = 'PRESIGNED' ORDER BY chunk_number`,
      [uploadId],
    );
    return rows.map((row) => ({
      chunkNumber: Number(row['chunk_number']),
      size: Number(row['size']),
      sha256: row['sha256'] as string,
    }));
  }

  async markPlannedChunkStored(
    uploadId: string,
    chunk: PlannedChunk,
    etag: string,
    stored: LifecycleEvent,
  ): Promise<boolean> {
    const [updated] = await inOneRoundTrip(this.pool, [
      {
        sql: `UPDATE upload_chunks c SET c.state = 'STORED', c.etag = ?
              WHERE c.upload_id = ? AND c.chunk_number = ? AND c.state = 'PRESIGNED' AND c.sha256 = ? AND c.size = ?
                AND EXISTS (SELECT 1 FROM uploads u WHERE u.upload_id = c.upload_id AND u.state IN ('INITIATED', 'IN_PROGRESS'))`,
        values: [etag, uploadId, chunk.chunkNumber, chunk.sha256, chunk.size],
      },
      outboxInsert(stored, true),
    ]);
    return updated!.affectedRows === 1;
  }
}

/** What planning comes to over the chunk's row, and the statement that records it, if any. */
function planOf(
  uploadId: string,
  uploadRow: RowDataPacket | undefined,
  existing: ChunkRow | undefined,
  chunk: PlannedChunk,
  force: boolean,
): { result: PlanResult; write?: Statement } {
  if (!uploadRow) return { result: { outcome: 'unknown-upload' } };
  const upload = toUpload(uploadRow);
  if (!ACCEPTING_STATES.includes(upload.state))
    return { result: { outcome: 'not-accepting', state: upload.state } };
  const planned: { result: PlanResult; write: Statement } = {
    result: { outcome: 'planned', upload },
    write: {
      sql: `INSERT INTO upload_chunks
              (upload_id, chunk_number, size, sha256, storage, part_number, claim_token, claim_owner, state, claimed_at, written_by)
            VALUES (?, ?, ?, ?, 'direct-part', ?, ?, NULL, 'PRESIGNED', NOW(6), 'client')
            ON DUPLICATE KEY UPDATE size = VALUES(size), sha256 = VALUES(sha256), storage = 'direct-part', written_by = 'client',
              part_number = VALUES(part_number), claim_token = VALUES(claim_token), claim_owner = NULL,
              state = 'PRESIGNED', claimed_at = NOW(6), etag = NULL`,
      values: [
        uploadId,
        chunk.chunkNumber,
        chunk.size,
        chunk.sha256,
        directPartNumber(chunk.chunkNumber),
        randomUUID(),
      ],
    },
  };
  if (!existing) return planned;
  const sameBytes = existing.sha256 === chunk.sha256 && Number(existing.size) === chunk.size;
  if (existing.state === 'STORED' && sameBytes) return { result: { outcome: 'stored' } };
  if (existing.state === 'WRITING')
    return sameBytes || force
      ? { result: { outcome: 'in-progress' } }
      : { result: { outcome: 'conflict', existingSha256: existing.sha256 } };
  if (sameBytes || force) return planned;
  return { result: { outcome: 'conflict', existingSha256: existing.sha256 } };
}
