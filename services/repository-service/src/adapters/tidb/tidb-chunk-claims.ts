import { randomUUID } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import {
  ACCEPTING_STATES,
  type ChunkClaim,
  type ClaimOptions,
  type ClaimResult,
} from '../../domain/ports/upload-store.port';
import {
  inOneRoundTrip,
  inRoundTrip,
  isDuplicateKey,
  onTransactionConnection,
  type Statement,
} from './tidb-transaction';
import { decide, partNumberOf, stagedOf, toUpload, writerOf, type ChunkRow } from './tidb-upload-rows';

/** Who claims: this instance, and the parameters of OWNER_GONE for it. */
export interface Claimant {
  instanceId: string;
  /** This instance's id, then the staleness of a heartbeat in microseconds. */
  gone: [string, number];
  /** The SQL telling whether the owner in `c.claim_owner` is gone (tidb-upload-store.ts). */
  ownerGoneSql: string;
}

/** A claim's size, sha256, storage, part_number, claim_token and claim_owner, in that order. */
export function claimedColumns(claim: ChunkClaim, token: string, owner: string): (string | number | null)[] {
  return [claim.size, claim.sha256, claim.storage, partNumberOf(claim), token, owner];
}

/** The columns of a ChunkRow, `c` being the chunk's row; takes the two parameters of `claimant.gone`. */
export function chunkRowColumns(claimant: Claimant): string {
  return `chunk_number, size, sha256, storage, part_number, state, retry_count, etag, written_by,
    staged_object, staged_offset,
    TIMESTAMPDIFF(MICROSECOND, claimed_at, NOW(6)) AS age_us, ${claimant.ownerGoneSql} AS owner_gone`;
}

/**
 * Claims a chunk number for writing; this runs for every chunk. The first claim of a chunk number
 * (nearly all of them) is one round trip: lock the upload, insert the claim if the upload accepts
 * chunks and the chunk has no row yet, commit. The upload's row lock, where the claims of one
 * upload's concurrent chunks queue, is then held inside TiDB only, never across a round trip to
 * this process. A chunk with a row already (a retry, a duplicate, a take-over) takes two round
 * trips: lock and read the upload and the chunk's row, then write what they call for and commit.
 * The upload comes back with a claim, so the writer needs no read of its own. Two first writers may
 * insert at once: the loser sees the winner's row on a second try.
 */
export async function claimChunk(
  pool: Pool,
  claimant: Claimant,
  uploadId: string,
  claim: ChunkClaim,
  options: ClaimOptions,
): Promise<ClaimResult> {
  try {
    return (
      (await firstClaim(pool, claimant, uploadId, claim)) ??
      (await claimOnce(pool, claimant, uploadId, claim, options))
    );
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return claimOnce(pool, claimant, uploadId, claim, options);
  }
}

/** The claim of a chunk number that has no row yet, in one round trip; undefined when it has one. */
async function firstClaim(
  pool: Pool,
  claimant: Claimant,
  uploadId: string,
  claim: ChunkClaim,
): Promise<ClaimResult | undefined> {
  const token = randomUUID();
  const [uploadRows, inserted] = (await inOneRoundTrip(pool, [
    { sql: 'SELECT * FROM uploads WHERE upload_id = ? FOR UPDATE', values: [uploadId] },
    {
      sql: `INSERT INTO upload_chunks
              (upload_id, chunk_number, size, sha256, storage, part_number, claim_token, claim_owner, state, claimed_at)
            SELECT upload_id, ?, ?, ?, ?, ?, ?, ?, 'WRITING', NOW(6) FROM uploads
            WHERE upload_id = ? AND state IN ('INITIATED', 'IN_PROGRESS')
              AND NOT EXISTS (SELECT 1 FROM upload_chunks WHERE upload_id = ? AND chunk_number = ?)
            FOR UPDATE`,
      values: [
        claim.chunkNumber,
        ...claimedColumns(claim, token, claimant.instanceId),
        uploadId,
        uploadId,
        claim.chunkNumber,
      ],
    },
  ])) as unknown as [RowDataPacket[], ResultSetHeader];
  const uploadRow = uploadRows[0];
  if (!uploadRow) return { outcome: 'unknown-upload' };
  const upload = toUpload(uploadRow);
  if (!ACCEPTING_STATES.includes(upload.state)) return { outcome: 'not-accepting', state: upload.state };
  return inserted.affectedRows === 1 ? { outcome: 'claimed', token, upload } : undefined;
}

function claimOnce(
  pool: Pool,
  claimant: Claimant,
  uploadId: string,
  claim: ChunkClaim,
  options: ClaimOptions,
): Promise<ClaimResult> {
  return onTransactionConnection(pool, async (connection) => {
    const read = await inRoundTrip(connection, [
      { sql: 'BEGIN PESSIMISTIC', values: [] },
      { sql: 'SELECT * FROM uploads WHERE upload_id = ? FOR UPDATE', values: [uploadId] },
      {
        sql: `SELECT ${chunkRowColumns(claimant)} FROM upload_chunks c
              WHERE upload_id = ? AND chunk_number = ? FOR UPDATE`,
        values: [...claimant.gone, uploadId, claim.chunkNumber],
      },
    ]);
    const uploadRow = (read[1] as RowDataPacket[])[0];
    const chunkRow = (read[2] as ChunkRow[])[0];
    const token = randomUUID();
    const { result, write } = claimOf(
      uploadId,
      uploadRow,
      chunkRow,
      claimant.instanceId,
      claim,
      options,
      token,
    );
    await inRoundTrip(connection, [...(write ? [write] : []), { sql: 'COMMIT', values: [] }]);
    return result;
  });
}

/** What the claim comes to, and the statement that records it, if any. */
export function claimOf(
  uploadId: string,
  uploadRow: RowDataPacket | undefined,
  existing: ChunkRow | undefined,
  owner: string,
  claim: ChunkClaim,
  options: ClaimOptions,
  token: string,
): { result: ClaimResult; write?: Statement } {
  if (!uploadRow) return { result: { outcome: 'unknown-upload' } };
  const upload = toUpload(uploadRow);
  if (!ACCEPTING_STATES.includes(upload.state))
    return { result: { outcome: 'not-accepting', state: upload.state } };
  const claimed = claimedColumns(claim, token, owner);
  if (!existing) {
    const write = {
      sql: `INSERT INTO upload_chunks
              (upload_id, chunk_number, size, sha256, storage, part_number, claim_token, claim_owner, state, claimed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'WRITING', NOW(6))`,
      values: [uploadId, claim.chunkNumber, ...claimed],
    };
    return { result: { outcome: 'claimed', token, upload }, write };
  }
  const decision = decide(existing, claim, options);
  if (decision === 'take-over') {
    const write = {
      sql: `UPDATE upload_chunks SET size = ?, sha256 = ?, storage = ?, part_number = ?, claim_token = ?, claim_owner = ?,
              state = 'WRITING', claimed_at = NOW(6), etag = NULL, retry_count = retry_count + 1, written_by = 'service',
              staged_object = NULL, staged_offset = 0
            WHERE upload_id = ? AND chunk_number = ?`,
      values: [...claimed, uploadId, claim.chunkNumber],
    };
    return { result: { outcome: 'claimed', token, upload }, write };
  }
  if (decision === 'duplicate') {
    const chunk = {
      ...claim,
      size: Number(existing.size),
      storage: existing.storage,
      partNumber: existing.part_number ?? undefined,
      retryCount: Number(existing.retry_count),
      etag: existing.etag ?? '',
      writtenBy: writerOf(existing.written_by),
      staged: stagedOf(existing),
    };
    return { result: { outcome: 'duplicate', chunk } };
  }
  return decision === 'in-progress'
    ? { result: { outcome: 'in-progress', sha256: existing.sha256 } }
    : { result: { outcome: 'conflict', existingSha256: existing.sha256 } };
}
