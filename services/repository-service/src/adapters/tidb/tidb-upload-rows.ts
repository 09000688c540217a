import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Statement } from './tidb-transaction';
import { directPartNumber, type ChunkStorage } from '../../domain/completion/assembly-plan';
import type {
  ChunkClaim,
  ChunkWriter,
  ClaimOptions,
  NewUpload,
  StagedLocation,
  UploadRecord,
  UploadState,
} from '../../domain/ports/upload-store.port';

// Rows of the uploads and upload_chunks tables (migrations.ts), and the claim rule applied to them.

export interface ChunkRow extends RowDataPacket {
  size: string;
  sha256: string;
  storage: ChunkStorage;
  part_number: number | null;
  /** PRESIGNED: a client writes it straight to S3 (tidb-direct-chunks.ts). */
  state: 'WRITING' | 'STORED' | 'PRESIGNED';
  retry_count: number;
  etag: string | null;
  written_by: string;
  staged_object: string | null;
  staged_offset: string;
  age_us: string;
  /** 1 when the instance holding the claim is gone. */
  owner_gone: number;
}

export function writerOf(column: unknown): ChunkWriter {
  return column === 'client' ? 'client' : 'service';
}

/** Where a staged chunk's bytes are: its own object unless it was staged with a batch. */
export function stagedOf(row: RowDataPacket): StagedLocation | undefined {
  if (row['storage'] !== 'staged') return undefined;
  const object = row['staged_object'] as string | null;
  return object === null
    ? { object: String(row['chunk_number']), offset: 0 }
    : { object, offset: Number(row['staged_offset']) };
}

/** Inserts the upload's row in `state`; a used idempotency key fails it with a duplicate key error. */
export async function insertUpload(
  connection: PoolConnection,
  upload: NewUpload,
  state: UploadState,
): Promise<void> {
  const { sql, values } = uploadInsert(upload, state);
  await connection.execute(sql, values);
}

export function uploadInsert(upload: NewUpload, state: UploadState): Statement {
  return {
    sql: `INSERT INTO uploads (upload_id, node_id, drive_id, name, mime_type, user_metadata, idempotency_key, state,
       object_key, expected_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    values: [
      upload.uploadId,
      upload.nodeId,
      upload.driveId,
      upload.name,
      upload.mimeType,
      JSON.stringify(upload.userMetadata),
      upload.idempotencyKey ?? null,
      state,
      upload.objectKey,
      upload.expectedVersion ?? null,
    ],
  };
}

export function partNumberOf(claim: ChunkClaim): number | null {
  return claim.storage === 'direct-part' ? directPartNumber(claim.chunkNumber) : null;
}

export function toUpload(row: RowDataPacket): UploadRecord {
  return {
    uploadId: row['upload_id'],
    nodeId: row['node_id'],
    driveId: row['drive_id'],
    name: row['name'],
    mimeType: row['mime_type'],
    userMetadata: row['user_metadata'],
    idempotencyKey: row['idempotency_key'] ?? undefined,
    objectKey: row['object_key'],
    expectedVersion: row['expected_version'] === null ? undefined : Number(row['expected_version']),
    state: row['state'] as UploadState,
    multipartUploadId: row['multipart_upload_id'] ?? undefined,
    completion: {
      totalChunks:
        row['completion_total_chunks'] === null || row['completion_total_chunks'] === undefined
          ? undefined
          : Number(row['completion_total_chunks']),
      sha256: row['completion_sha256'] ?? undefined,
      verify: Boolean(row['completion_verify']),
    },
    createdAt: new Date(row['created_at']),
    updatedAt: new Date(row['updated_at']),
  };
}

/** What to do with a claim on a chunk number that already has a row (see docs/upload.md). */
export function decide(
  existing: ChunkRow,
  claim: ChunkClaim,
  options: ClaimOptions,
): 'take-over' | 'duplicate' | 'in-progress' | 'conflict' {
  const sameBytes = existing.sha256 === claim.sha256 && Number(existing.size) === claim.size;
  if (existing.state === 'WRITING') {
    const gone = Number(existing.owner_gone) === 1 || Number(existing.age_us) >= options.staleAfterMs * 1000;
    if (gone) return 'take-over';
    return sameBytes || options.force ? 'in-progress' : 'conflict';
  }
  // A chunk planned for a client to write to S3 is not stored yet: the bytes arriving here replace the plan.
  if (existing.state === 'PRESIGNED') return sameBytes || options.force ? 'take-over' : 'conflict';
  if (sameBytes) return 'duplicate';
  return options.force ? 'take-over' : 'conflict';
}
