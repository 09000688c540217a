import { ErrorCode, TesseraError } from '@tessera/errors';
import { nodeVersionFromRow } from '@tessera/nodes';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { LifecycleEvent } from '../../domain/events/lifecycle-event';
import type { NewNodeVersion, NodeVersion } from '../../domain/ports/node-store.port';
import type { NewUpload } from '../../domain/ports/upload-store.port';
import { appendToOutbox, outboxInsert } from './tidb-outbox';
import { inRoundTrip, onTransactionConnection, type Statement } from './tidb-transaction';
import { uploadInsert } from './tidb-upload-rows';

// Node versions (table nodes, and the name's latest_version in node_names; migrations.ts).

const LOCK_NAME = 'SELECT latest_version FROM node_names WHERE node_id = ? FOR UPDATE';

/** The locked name's latest version; CONFLICT when the node is gone or not at `expectedVersion`. */
function latestOf(names: RowDataPacket[], node: NewNodeVersion, expectedVersion: number | undefined): number {
  if (!names[0]) {
    throw new TesseraError(
      ErrorCode.Conflict,
      `node ${node.nodeId} was deleted while upload ${node.uploadId} was completing`,
    );
  }
  const latest = Number(names[0]['latest_version']);
  if (expectedVersion !== undefined && latest !== expectedVersion) {
    throw new TesseraError(
      ErrorCode.Conflict,
      `node ${node.nodeId} is at version ${latest}, but this write expected version ${expectedVersion}: another write got there first`,
    );
  }
  return latest;
}

/** Inserts version `version` of the node, makes it the latest, and reads it back (created_at). */
function versionStatements(node: NewNodeVersion, version: number): Statement[] {
  return [
    {
      sql: `INSERT INTO nodes (node_id, version, drive_id, name, size, sha256, sha256_verified_by, mime_type,
         user_metadata, bucket, object_key, object_version_id, etag, part_sizes, part_sha256, upload_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      values: [
        node.nodeId,
        version,
        node.driveId,
        node.name,
        node.size,
        node.sha256,
        node.sha256VerifiedBy,
        node.mimeType,
        JSON.stringify(node.userMetadata),
        node.bucket,
        node.objectKey,
        node.objectVersionId ?? null,
        node.etag,
        JSON.stringify(node.partSizes),
        JSON.stringify(node.partSha256),
        node.uploadId,
      ],
    },
    { sql: 'UPDATE node_names SET latest_version = ? WHERE node_id = ?', values: [version, node.nodeId] },
    { sql: 'SELECT * FROM nodes WHERE node_id = ? AND version = ?', values: [node.nodeId, version] },
  ];
}

/** Inserts the new version in one round trip; the recorded row. */
async function insertVersion(connection: PoolConnection, node: NewNodeVersion, version: number) {
  const results = await inRoundTrip(connection, versionStatements(node, version));
  return nodeVersionFromRow((results[2] as RowDataPacket[])[0]!);
}

/**
 * Inserts the node's next version (CONFLICT unless it is at `expectedVersion`, when given) and the
 * event `announce` makes of it, in the caller's transaction.
 */
export async function appendVersion(
  connection: PoolConnection,
  node: NewNodeVersion,
  expectedVersion: number | undefined,
  announce: (recorded: NodeVersion) => LifecycleEvent,
): Promise<NodeVersion> {
  const [names] = await connection.execute<RowDataPacket[]>(LOCK_NAME, [node.nodeId]);
  const recorded = await insertVersion(connection, node, latestOf(names, node, expectedVersion) + 1);
  await appendToOutbox(connection, announce(recorded));
  return recorded;
}

/**
 * Records an upload that arrived whole: its row (COMPLETED), the node's next version and both
 * events, in one pessimistic transaction of three round trips (the version needs the locked name's,
 * the event the recorded row). Fails as its statements do (a used idempotency key: duplicate key).
 */
export async function recordWholeUploadIn(
  pool: Pool,
  upload: NewUpload,
  node: NewNodeVersion,
  events: { initiated: LifecycleEvent; completed: (recorded: NodeVersion) => LifecycleEvent },
): Promise<NodeVersion> {
  return onTransactionConnection(pool, async (connection) => {
    const opened = await inRoundTrip(connection, [
      { sql: 'BEGIN PESSIMISTIC', values: [] },
      uploadInsert(upload, 'COMPLETED'),
      outboxInsert(events.initiated),
      { sql: LOCK_NAME, values: [node.nodeId] },
    ]);
    const latest = latestOf(opened[3] as RowDataPacket[], node, upload.expectedVersion);
    const recorded = await insertVersion(connection, node, latest + 1);
    await inRoundTrip(connection, [outboxInsert(events.completed(recorded)), { sql: 'COMMIT', values: [] }]);
    return recorded;
  });
}
