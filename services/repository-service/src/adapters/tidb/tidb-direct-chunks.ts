import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { directPartNumber, S3_PART_RULES } from '../../domain/completion/assembly-plan';
import type {
  ChunkPlan,
  DirectChunkStore,
  ListedPlannedChunk,
  PlannedChunk,
  PlanResult,
} from '../../domain/ports/direct-chunk-store.port';
import { ACCEPTING_STATES } from '../../domain/ports/upload-store.port';
import { outboxInsert } from './tidb-outbox';
import { inOneRoundTrip, inRoundTrip, onTransactionConnection, type Statement } from './tidb-transaction';
import { toUpload, type ChunkRow } from './tidb-upload-rows';

/** DirectChunkStore in TiDB: planned chunks are upload_chunks rows in state PRESIGNED. */
export class TidbDirectChunks implements DirectChunkStore {
  constructor(private readonly pool: Pool) {}

  planChunks(uploadId: string, chunks: PlannedChunk[], options: { force: boolean }): Promise<PlanResult> {
    return onTransactionConnection(this.pool, async (connection) => {
      const read = await inRoundTrip(connection, [
        { sql: 'BEGIN PESSIMISTIC', values: [] },
        { sql: 'SELECT * FROM uploads WHERE upload_id = ? FOR UPDATE', values: [uploadId] },
        {
          sql: `SELECT chunk_number, size, sha256, state FROM upload_chunks
                WHERE upload_id = ? AND chunk_number IN (${chunks.map(() => '?').join(', ')}) FOR UPDATE`,
          values: [uploadId, ...chunks.map((chunk) => chunk.chunkNumber)],
        },
        partsLayoutQuery(uploadId, chunks),
      ]);
      const existing = new Map((read[2] as ChunkRow[]).map((row) => [Number(row['chunk_number']), row]));
      const { result, writes } = planOf(
        uploadId,
        (read[1] as RowDataPacket[])[0],
        existing,
        chunks,
        options.force,
        layoutOf((read[3] as RowDataPacket[])[0]),
      );
      await inRoundTrip(connection, [...writes, { sql: 'COMMIT', values: [] }]);
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

  async markPlannedChunksStored(uploadId: string, listed: ListedPlannedChunk[]): Promise<PlannedChunk[]> {
    if (listed.length === 0) return [];
    const results = await inOneRoundTrip(
      this.pool,
      listed.flatMap(({ chunk, etag, stored }) => [
        {
          sql: `UPDATE upload_chunks c SET c.state = 'STORED', c.etag = ?
                WHERE c.upload_id = ? AND c.chunk_number = ? AND c.state = 'PRESIGNED' AND c.sha256 = ? AND c.size = ?
                  AND EXISTS (SELECT 1 FROM uploads u WHERE u.upload_id = c.upload_id AND u.state IN ('INITIATED', 'IN_PROGRESS'))`,
          values: [etag, uploadId, chunk.chunkNumber, chunk.sha256, chunk.size],
        },
        outboxInsert(stored, true),
      ]),
    );
    return listed.filter((_, index) => results[2 * index]!.affectedRows === 1).map(({ chunk }) => chunk);
  }

  async forgetStoredChunks(uploadId: string, chunkNumbers: number[]): Promise<void> {
    if (chunkNumbers.length === 0) return;
    await this.pool.execute(
      `DELETE FROM upload_chunks WHERE upload_id = ? AND state = 'STORED'
         AND chunk_number IN (${chunkNumbers.map(() => '?').join(', ')})`,
      [uploadId, ...chunkNumbers],
    );
  }
}

/** What planning comes to over the chunks' rows, and the statements that record it (none if any is refused). */
function planOf(
  uploadId: string,
  uploadRow: RowDataPacket | undefined,
  existing: Map<number, ChunkRow>,
  chunks: PlannedChunk[],
  force: boolean,
  layout: PartsLayout,
): { result: PlanResult; writes: Statement[] } {
  if (!uploadRow) return { result: { outcome: 'unknown-upload' }, writes: [] };
  const upload = toUpload(uploadRow);
  if (!ACCEPTING_STATES.includes(upload.state))
    return { result: { outcome: 'not-accepting', state: upload.state }, writes: [] };
  const plans = chunks.map(
    (chunk) => misplacement(chunk, layout) ?? chunkPlanOf(existing.get(chunk.chunkNumber), chunk, force),
  );
  const refused = plans.some((plan) => plan.outcome !== 'planned' && plan.outcome !== 'stored');
  const writes = refused
    ? []
    : chunks
        .filter((_, index) => plans[index]!.outcome === 'planned')
        .map((chunk) => planInsert(uploadId, chunk));
  return { result: { outcome: 'planned', upload, chunks: plans }, writes };
}

/** The upload's other direct parts: the lowest one under S3's smallest part size, and the highest. */
interface PartsLayout {
  smallestSmall: number | undefined;
  highest: number | undefined;
}

function partsLayoutQuery(uploadId: string, chunks: PlannedChunk[]): Statement {
  return {
    sql: `SELECT MIN(CASE WHEN size < ? THEN chunk_number END) AS smallest_small, MAX(chunk_number) AS highest
          FROM upload_chunks WHERE upload_id = ? AND storage = 'direct-part'
            AND chunk_number NOT IN (${chunks.map(() => '?').join(', ')})`,
    values: [S3_PART_RULES.minPartBytes, uploadId, ...chunks.map((chunk) => chunk.chunkNumber)],
  };
}

function layoutOf(row: RowDataPacket | undefined): PartsLayout {
  const numberOf = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));
  return { smallestSmall: numberOf(row?.['smallest_small']), highest: numberOf(row?.['highest']) };
}

/**
 * S3 completes a multipart upload only when every part but its last is at least 5 MiB: a part
 * above a smaller one, or a small part below others, would fail the completion (EntityTooSmall).
 */
function misplacement(chunk: PlannedChunk, layout: PartsLayout): ChunkPlan | undefined {
  const { smallestSmall, highest } = layout;
  if (smallestSmall !== undefined && chunk.chunkNumber > smallestSmall)
    return {
      outcome: 'misplaced',
      why: `is above chunk ${smallestSmall}, smaller than 5 MiB, which must stay the last`,
    };
  if (chunk.size < S3_PART_RULES.minPartBytes && highest !== undefined && highest > chunk.chunkNumber)
    return {
      outcome: 'misplaced',
      why: `is smaller than 5 MiB below chunk ${highest}: only the last chunk may be`,
    };
  return undefined;
}

function chunkPlanOf(existing: ChunkRow | undefined, chunk: PlannedChunk, force: boolean): ChunkPlan {
  if (!existing) return { outcome: 'planned' };
  const sameBytes = existing.sha256 === chunk.sha256 && Number(existing.size) === chunk.size;
  if (existing.state === 'STORED' && sameBytes) return { outcome: 'stored' };
  if (existing.state === 'WRITING')
    return sameBytes || force
      ? { outcome: 'in-progress' }
      : { outcome: 'conflict', existingSha256: existing.sha256 };
  if (sameBytes || force) return { outcome: 'planned' };
  return { outcome: 'conflict', existingSha256: existing.sha256 };
}

function planInsert(uploadId: string, chunk: PlannedChunk): Statement {
  return {
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
  };
}
