import { randomUUID } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import {
  ACCEPTING_STATES,
  type BatchChunkClaim,
  type BatchClaimResult,
  type ChunkClaim,
  type ClaimOptions,
  type ClaimResult,
  type StagedBatch,
} from '../../domain/ports/upload-store.port';
import { chunkRowColumns, claimedColumns, claimOf, type Claimant } from './tidb-chunk-claims';
import { outboxInsertOfAll } from './tidb-outbox';
import { inRoundTrip, onTransactionConnection, type Statement } from './tidb-transaction';
import { toUpload, type ChunkRow } from './tidb-upload-rows';

// Group commit (docs/upload.md): the chunks of a batch are claimed in one transaction and recorded
// in another, whatever their number; each chunk follows the rule a claim of it alone follows.

/** A list for `IN (?)`: the statement's values are formatted into its SQL, an array as a list. */
const sqlList = (values: number[]) => values as unknown as number;

/**
 * Two round trips: lock the upload and the batch's existing chunk rows; then write every claim
 * under one token and commit.
 */
export function claimChunks(
  pool: Pool,
  claimant: Claimant,
  uploadId: string,
  claims: ChunkClaim[],
  options: ClaimOptions,
): Promise<BatchClaimResult> {
  const numbers = claims.map((claim) => claim.chunkNumber);
  return onTransactionConnection(pool, async (connection) => {
    const read = await inRoundTrip(connection, [
      { sql: 'BEGIN PESSIMISTIC', values: [] },
      { sql: 'SELECT * FROM uploads WHERE upload_id = ? FOR UPDATE', values: [uploadId] },
      {
        sql: `SELECT ${chunkRowColumns(claimant)} FROM upload_chunks c
              WHERE upload_id = ? AND chunk_number IN (?) FOR UPDATE`,
        values: [...claimant.gone, uploadId, sqlList(numbers)],
      },
    ]);
    const uploadRow = (read[1] as RowDataPacket[])[0];
    const upload = uploadRow && toUpload(uploadRow);
    if (!upload || !ACCEPTING_STATES.includes(upload.state)) {
      await inRoundTrip(connection, [{ sql: 'COMMIT', values: [] }]);
      return upload ? { outcome: 'not-accepting', state: upload.state } : { outcome: 'unknown-upload' };
    }
    const existing = new Map((read[2] as ChunkRow[]).map((row) => [Number(row['chunk_number']), row]));
    const token = randomUUID();
    const fresh = claims.filter((claim) => !existing.has(claim.chunkNumber));
    const writes: Statement[] =
      fresh.length > 0 ? [claimsInsert(uploadId, fresh, token, claimant.instanceId)] : [];
    const chunks = claims.map((claim): BatchChunkClaim => {
      const row = existing.get(claim.chunkNumber);
      if (!row) return { outcome: 'claimed' };
      const { result, write } = claimOf(uploadId, uploadRow, row, claimant.instanceId, claim, options, token);
      if (write) writes.push(write);
      return batchChunkClaimOf(result);
    });
    await inRoundTrip(connection, [...writes, { sql: 'COMMIT', values: [] }]);
    return { outcome: 'claimed', token, upload, chunks };
  });
}

/** The claims of chunk numbers without a row yet, in one INSERT (claims queue on the upload's row lock: no race). */
function claimsInsert(uploadId: string, claims: ChunkClaim[], token: string, owner: string): Statement {
  return {
    sql: `INSERT INTO upload_chunks
            (upload_id, chunk_number, size, sha256, storage, part_number, claim_token, claim_owner, state, claimed_at)
          VALUES ${claims.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'WRITING', NOW(6))").join(', ')}`,
    values: claims.flatMap((claim) => [uploadId, claim.chunkNumber, ...claimedColumns(claim, token, owner)]),
  };
}

function batchChunkClaimOf(result: ClaimResult): BatchChunkClaim {
  switch (result.outcome) {
    case 'conflict':
      return { outcome: 'conflict', existingSha256: result.existingSha256 };
    case 'claimed':
    case 'duplicate':
    case 'in-progress':
      return { outcome: result.outcome };
    default:
      // The upload was checked above, in the same transaction.
      throw new Error(`chunk claim came to ${result.outcome} for an upload accepting chunks`);
  }
}

/**
 * Two round trips: lock the batch's chunks still claimed with the token; then mark those stored in
 * the staged object, add their events to the outbox, and commit.
 */
export function markBatchStored(
  pool: Pool,
  uploadId: string,
  { token, object, etag, chunks }: StagedBatch,
): Promise<number[]> {
  return onTransactionConnection(pool, async (connection) => {
    const [, held] = (await inRoundTrip(connection, [
      { sql: 'BEGIN PESSIMISTIC', values: [] },
      {
        sql: `SELECT chunk_number FROM upload_chunks
              WHERE upload_id = ? AND chunk_number IN (?) AND claim_token = ? AND state = 'WRITING' FOR UPDATE`,
        values: [uploadId, sqlList(chunks.map((chunk) => chunk.chunkNumber)), token],
      },
    ])) as [unknown, RowDataPacket[]];
    const still = new Set(held.map((row) => Number(row['chunk_number'])));
    const recorded = chunks.filter((chunk) => still.has(chunk.chunkNumber));
    const writes: Statement[] =
      recorded.length === 0
        ? []
        : [
            {
              sql: `UPDATE upload_chunks SET state = 'STORED', etag = ?, staged_object = ?,
                      staged_offset = CASE chunk_number ${recorded.map(() => 'WHEN ? THEN ?').join(' ')} END
                    WHERE upload_id = ? AND chunk_number IN (?)`,
              values: [
                etag,
                object,
                ...recorded.flatMap((chunk) => [chunk.chunkNumber, chunk.offset]),
                uploadId,
                sqlList(recorded.map((chunk) => chunk.chunkNumber)),
              ],
            },
            outboxInsertOfAll(recorded.map((chunk) => chunk.stored)),
          ];
    await inRoundTrip(connection, [...writes, { sql: 'COMMIT', values: [] }]);
    return recorded.map((chunk) => chunk.chunkNumber);
  });
}

export async function releaseBatchClaims(
  pool: Pool,
  uploadId: string,
  token: string,
  chunkNumbers: number[],
): Promise<void> {
  if (chunkNumbers.length === 0) return;
  await pool.query<ResultSetHeader>(
    `DELETE FROM upload_chunks WHERE upload_id = ? AND chunk_number IN (?) AND claim_token = ? AND state = 'WRITING'`,
    [uploadId, chunkNumbers, token],
  );
}
