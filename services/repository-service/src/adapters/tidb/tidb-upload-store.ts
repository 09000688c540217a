import { randomUUID } from 'node:crypto';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { claimChunk, type Claimant } from './tidb-chunk-claims';
import { claimChunks, markBatchStored, releaseBatchClaims } from './tidb-chunk-batches';
import { appendToOutbox, outboxInsert } from './tidb-outbox';
import { insertUpload, stagedOf, toUpload, writerOf } from './tidb-upload-rows';
import { inOneRoundTrip, inPessimisticTransaction, isDuplicateKey } from './tidb-transaction';
import type { LifecycleEvent } from '../../domain/events/lifecycle-event';
import {
  ACCEPTING_STATES,
  type BatchClaimResult,
  type BeginCompletionResult,
  type ChunkClaim,
  type ClaimOptions,
  type ClaimResult,
  type CompletionRequest,
  type NewUpload,
  type StagedBatch,
  type StoredChunkRecord,
  type UploadRecord,
  type UploadState,
  type UploadStore,
} from '../../domain/ports/upload-store.port';

/** States the janitor may abort once idle; COMPLETING is left to its completer. */
const ABANDONABLE: UploadState[] = [...ACCEPTING_STATES, 'FAILED'];

/** This repository instance, as its heartbeat in repository_instances names it. */
export interface InstanceIdentity {
  instanceId: string;
  /** An instance whose heartbeat is older than this is gone: its claims and completions are taken over. */
  staleAfterMs: number;
}

/**
 * True when the instance in `ownerColumn` beat once but stopped (killed, or stopped cleanly); never
 * this instance itself, which is alive whatever its row says (a beat late on a busy machine). Takes
 * two parameters: this instance's id, then the staleness in microseconds (see `gone`).
 */
const OWNER_GONE = (ownerColumn: string) =>
  `(${ownerColumn} <> ? AND EXISTS (SELECT 1 FROM repository_instances i
           WHERE i.instance_id = ${ownerColumn} AND i.heartbeat_at < NOW(6) - INTERVAL ? MICROSECOND))`;

/** Upload `u` had no activity (no change, no chunk claimed) for the microseconds given twice. */
const IDLE = `u.updated_at < NOW(6) - INTERVAL ? MICROSECOND
  AND NOT EXISTS (SELECT 1 FROM upload_chunks c
                  WHERE c.upload_id = u.upload_id AND c.claimed_at >= NOW(6) - INTERVAL ? MICROSECOND)`;
const idleFor = (idleMs: number) => [Math.round(idleMs * 1000), Math.round(idleMs * 1000)];

/**
 * UploadStore in TiDB (tables from migrations.ts). Uses pessimistic transactions for claims, in
 * multi-statement round trips: the pool must allow multiple statements.
 */
export class TidbUploadStore implements UploadStore {
  /** The parameters of OWNER_GONE. */
  private readonly gone: [string, number];
  private readonly claimant: Claimant;

  constructor(
    private readonly pool: Pool,
    private readonly instance: InstanceIdentity = { instanceId: randomUUID(), staleAfterMs: 10_000 },
  ) {
    this.gone = [instance.instanceId, Math.round(instance.staleAfterMs * 1000)];
    this.claimant = {
      instanceId: instance.instanceId,
      gone: this.gone,
      ownerGoneSql: OWNER_GONE('c.claim_owner'),
    };
  }

  async createUpload(
    upload: NewUpload,
    initiated: LifecycleEvent,
  ): Promise<{ upload: UploadRecord; created: boolean }> {
    try {
      await inPessimisticTransaction(this.pool, async (connection) => {
        await insertUpload(connection, upload, 'INITIATED');
        await appendToOutbox(connection, initiated);
      });
      return { upload: (await this.findUpload(upload.uploadId))!, created: true };
    } catch (error) {
      if (!isDuplicateKey(error) || upload.idempotencyKey === undefined) throw error;
      const earlier = await this.findUploadByIdempotencyKey(upload.driveId, upload.idempotencyKey);
      if (!earlier) throw error;
      return { upload: earlier, created: false };
    }
  }

  async findUploadByIdempotencyKey(
    driveId: string,
    idempotencyKey: string,
  ): Promise<UploadRecord | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT * FROM uploads WHERE drive_id = ? AND idempotency_key = ?',
      [driveId, idempotencyKey],
    );
    return rows[0] ? toUpload(rows[0]) : undefined;
  }

  async findUpload(uploadId: string): Promise<UploadRecord | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>('SELECT * FROM uploads WHERE upload_id = ?', [
      uploadId,
    ]);
    return rows[0] ? toUpload(rows[0]) : undefined;
  }

  claimChunk(uploadId: string, claim: ChunkClaim, options: ClaimOptions): Promise<ClaimResult> {
    return claimChunk(this.pool, this.claimant, uploadId, claim, options);
  }

  async beginCompletion(uploadId: string, request: CompletionRequest): Promise<BeginCompletionResult> {
    return inPessimisticTransaction(this.pool, async (connection) => {
      const state = await this.lockUpload(connection, uploadId);
      if (state === undefined) return { outcome: 'unknown-upload' };
      if (!ACCEPTING_STATES.includes(state)) return { outcome: 'not-accepting', state };
      // Claims of a writer that is gone will never be stored: the chunks count as missing.
      await connection.execute(
        `DELETE FROM upload_chunks c WHERE c.upload_id = ? AND c.state = 'WRITING' AND ${OWNER_GONE('c.claim_owner')}`,
        [uploadId, ...this.gone],
      );
      const [writing] = await connection.execute<RowDataPacket[]>(
        `SELECT chunk_number FROM upload_chunks WHERE upload_id = ? AND state = 'WRITING' ORDER BY chunk_number`,
        [uploadId],
      );
      if (writing.length > 0) {
        return {
          outcome: 'chunks-in-flight',
          chunkNumbers: writing.map((row) => Number(row['chunk_number'])),
        };
      }
      await connection.execute(
        `UPDATE uploads SET state = 'COMPLETING', completion_owner = ?, completion_total_chunks = ?,
           completion_sha256 = ?, completion_verify = ? WHERE upload_id = ?`,
        [
          this.instance.instanceId,
          request.totalChunks ?? null,
          request.sha256 ?? null,
          request.verify ?? false,
          uploadId,
        ],
      );
      return { outcome: 'started' };
    });
  }

  async transition(
    uploadId: string,
    from: UploadState[],
    to: UploadState,
    event?: LifecycleEvent,
    options: { idleForMs?: number } = {},
  ): Promise<boolean> {
    const idle = options.idleForMs === undefined ? undefined : idleFor(options.idleForMs);
    const update = async (connection: Pool | PoolConnection) => {
      const [result] = await connection.query<ResultSetHeader>(
        `UPDATE uploads u SET state = ? WHERE upload_id = ? AND state IN (?)${idle ? ` AND ${IDLE}` : ''}`,
        [to, uploadId, from, ...(idle ?? [])],
      );
      return result.affectedRows === 1;
    };
    if (!event) return update(this.pool);
    return inPessimisticTransaction(this.pool, async (connection) => {
      const moved = await update(connection);
      if (moved) await appendToOutbox(connection, event);
      return moved;
    });
  }

  async recordMultipartUploadId(uploadId: string, multipartUploadId: string): Promise<string> {
    await this.pool.execute(
      'UPDATE uploads SET multipart_upload_id = ? WHERE upload_id = ? AND multipart_upload_id IS NULL',
      [multipartUploadId, uploadId],
    );
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT multipart_upload_id FROM uploads WHERE upload_id = ?',
      [uploadId],
    );
    return rows[0]?.['multipart_upload_id'] as string;
  }

  async markChunkStored(
    uploadId: string,
    chunkNumber: number,
    token: string,
    etag: string,
    stored: LifecycleEvent,
  ): Promise<boolean> {
    // One round trip per stored chunk: this runs for every chunk of every upload.
    const [updated] = await inOneRoundTrip(this.pool, [
      {
        sql: `UPDATE upload_chunks SET state = 'STORED', etag = ?
              WHERE upload_id = ? AND chunk_number = ? AND claim_token = ? AND state = 'WRITING'`,
        values: [etag, uploadId, chunkNumber, token],
      },
      outboxInsert(stored, true),
    ]);
    return updated!.affectedRows === 1;
  }

  claimChunks(uploadId: string, claims: ChunkClaim[], options: ClaimOptions): Promise<BatchClaimResult> {
    return claimChunks(this.pool, this.claimant, uploadId, claims, options);
  }

  markBatchStored(uploadId: string, batch: StagedBatch): Promise<number[]> {
    return markBatchStored(this.pool, uploadId, batch);
  }

  releaseBatchClaims(uploadId: string, token: string, chunkNumbers: number[]): Promise<void> {
    return releaseBatchClaims(this.pool, uploadId, token, chunkNumbers);
  }

  async releaseClaim(uploadId: string, chunkNumber: number, token: string): Promise<void> {
    await this.pool.execute(
      `DELETE FROM upload_chunks WHERE upload_id = ? AND chunk_number = ? AND claim_token = ? AND state = 'WRITING'`,
      [uploadId, chunkNumber, token],
    );
  }

  async listStoredChunks(uploadId: string): Promise<StoredChunkRecord[]> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT chunk_number, size, sha256, storage, part_number, retry_count, etag, written_by, staged_object, staged_offset
       FROM upload_chunks
       WHERE upload_id = ? AND state = 'STORED' ORDER BY chunk_number`,
      [uploadId],
    );
    return rows.map((row) => ({
      chunkNumber: Number(row['chunk_number']),
      size: Number(row['size']),
      sha256: row['sha256'],
      storage: row['storage'],
      partNumber: row['part_number'] ?? undefined,
      retryCount: Number(row['retry_count']),
      etag: row['etag'],
      writtenBy: writerOf(row['written_by']),
      staged: stagedOf(row),
    }));
  }

  async findIdleUploads(idleMs: number, limit: number): Promise<UploadRecord[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT * FROM uploads u WHERE u.state IN (?) AND ${IDLE} ORDER BY u.updated_at LIMIT ?`,
      [ABANDONABLE, ...idleFor(idleMs), limit],
    );
    return rows.map(toUpload);
  }

  async findOrphanedCompletions(limit: number): Promise<string[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT upload_id FROM uploads
       WHERE state = 'COMPLETING' AND (completion_owner = ? OR ${OWNER_GONE('completion_owner')})
       ORDER BY updated_at LIMIT ?`,
      [this.instance.instanceId, ...this.gone, limit],
    );
    return rows.map((row) => row['upload_id'] as string);
  }

  async adoptCompletion(uploadId: string): Promise<UploadRecord | undefined> {
    const [result] = await this.pool.query<ResultSetHeader>(
      `UPDATE uploads SET completion_owner = ?, updated_at = NOW(6)
       WHERE upload_id = ? AND state = 'COMPLETING' AND (completion_owner = ? OR ${OWNER_GONE('completion_owner')})`,
      [this.instance.instanceId, uploadId, this.instance.instanceId, ...this.gone],
    );
    return result.affectedRows === 1 ? this.findUpload(uploadId) : undefined;
  }

  async findUnfinishedOfNode(nodeId: string): Promise<UploadRecord[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT * FROM uploads WHERE node_id = ? AND state IN (?)',
      [nodeId, ABANDONABLE],
    );
    return rows.map(toUpload);
  }

  /** Locks the upload row for the transaction and returns its state. */
  private async lockUpload(connection: PoolConnection, uploadId: string): Promise<UploadState | undefined> {
    const [rows] = await connection.execute<RowDataPacket[]>(
      'SELECT state FROM uploads WHERE upload_id = ? FOR UPDATE',
      [uploadId],
    );
    return rows[0]?.['state'] as UploadState | undefined;
  }
}
