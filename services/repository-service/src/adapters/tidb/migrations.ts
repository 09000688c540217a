import type { Migration } from '@tessera/sql';

/** The repository service's schema in TiDB. Append new migrations; never edit applied ones. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'uploads',
    statements: [
      `CREATE TABLE IF NOT EXISTS uploads (
         upload_id CHAR(36) NOT NULL PRIMARY KEY,
         node_id CHAR(36) NOT NULL,
         drive_id VARCHAR(255) NOT NULL,
         name VARCHAR(1024) NOT NULL,
         mime_type VARCHAR(255) NOT NULL,
         user_metadata JSON NOT NULL,
         idempotency_key VARCHAR(255) NULL,
         state VARCHAR(16) NOT NULL,
         object_key VARCHAR(1024) NOT NULL,
         multipart_upload_id VARCHAR(1024) NULL,
         created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
         updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
         UNIQUE KEY uploads_idempotency (drive_id, idempotency_key),
         KEY uploads_state (state, updated_at)
       )`,
    ],
  },
  {
    version: 2,
    name: 'upload chunks',
    statements: [
      `CREATE TABLE IF NOT EXISTS upload_chunks (
         upload_id CHAR(36) NOT NULL,
         chunk_number BIGINT UNSIGNED NOT NULL,
         size BIGINT UNSIGNED NOT NULL,
         sha256 CHAR(64) NOT NULL,
         storage VARCHAR(16) NOT NULL,
         part_number INT NULL,
         state VARCHAR(16) NOT NULL,
         retry_count INT NOT NULL DEFAULT 0,
         claim_token CHAR(36) NOT NULL,
         claimed_at DATETIME(6) NOT NULL,
         etag VARCHAR(255) NULL,
         PRIMARY KEY (upload_id, chunk_number)
       )`,
    ],
  },
  {
    version: 3,
    name: 'node names',
    statements: [
      // One node per (drive, name): uploading the same name again makes a new version of that node.
      // Names can be long, so uniqueness goes through their SHA-256.
      `CREATE TABLE IF NOT EXISTS node_names (
         node_id CHAR(36) NOT NULL PRIMARY KEY,
         drive_id VARCHAR(255) NOT NULL,
         name VARCHAR(1024) NOT NULL,
         name_sha256 CHAR(64) NOT NULL,
         latest_version BIGINT NOT NULL DEFAULT 0,
         created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
         UNIQUE KEY node_names_drive_name (drive_id, name_sha256)
       )`,
    ],
  },
  {
    version: 4,
    name: 'nodes',
    statements: [
      `CREATE TABLE IF NOT EXISTS nodes (
         node_id CHAR(36) NOT NULL,
         version BIGINT NOT NULL,
         drive_id VARCHAR(255) NOT NULL,
         name VARCHAR(1024) NOT NULL,
         size BIGINT UNSIGNED NOT NULL,
         sha256 CHAR(64) NOT NULL,
         mime_type VARCHAR(255) NOT NULL,
         user_metadata JSON NOT NULL,
         bucket VARCHAR(255) NOT NULL,
         object_key VARCHAR(1024) NOT NULL,
         object_version_id VARCHAR(1024) NULL,
         etag VARCHAR(255) NOT NULL,
         part_sizes JSON NOT NULL,
         upload_id CHAR(36) NOT NULL,
         created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
         PRIMARY KEY (node_id, version),
         UNIQUE KEY nodes_upload (upload_id),
         KEY nodes_drive (drive_id, node_id)
       )`,
    ],
  },
  {
    version: 5,
    name: 'nodes of a drive, by node id',
    // The metadata service lists a drive's nodes page by page in node id order.
    statements: ['CREATE INDEX IF NOT EXISTS node_names_drive_node ON node_names (drive_id, node_id)'],
  },
  {
    version: 6,
    name: 'expected version of an upload',
    // Optimistic concurrency: the node version the upload's write replaces (NULL: any).
    statements: ['ALTER TABLE uploads ADD COLUMN IF NOT EXISTS expected_version BIGINT NULL'],
  },
  {
    version: 7,
    name: 'uploads of a node',
    // Deleting a node aborts its unfinished uploads.
    statements: ['CREATE INDEX IF NOT EXISTS uploads_node ON uploads (node_id, state)'],
  },
  {
    version: 8,
    name: 'outbox of lifecycle events',
    // Written in the same transaction as the change each event reports; the relay publishes them in
    // position order and deletes them. AUTO_ID_CACHE 1: positions increase across TiDB servers too.
    statements: [
      `CREATE TABLE IF NOT EXISTS outbox_events (
         position BIGINT NOT NULL AUTO_INCREMENT,
         event_id CHAR(36) NOT NULL,
         event_key VARCHAR(255) NOT NULL,
         event_type VARCHAR(255) NOT NULL,
         payload MEDIUMBLOB NOT NULL,
         trace_context JSON NOT NULL,
         created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
         PRIMARY KEY (position)
       ) AUTO_ID_CACHE 1`,
    ],
  },
  {
    version: 9,
    name: 'outbox relay lock',
    // One relay drains at a time (several replicas run one each): it holds this row while it does.
    statements: [
      'CREATE TABLE IF NOT EXISTS outbox_relay_lock (name VARCHAR(64) NOT NULL PRIMARY KEY)',
      "INSERT IGNORE INTO outbox_relay_lock (name) VALUES ('lifecycle')",
    ],
  },
  {
    version: 10,
    name: 'live instances, and who holds each chunk claim and completion',
    // A repository instance beats in repository_instances while it runs; claims and completions
    // of an instance that stopped beating (killed) are taken over, and its completions finished.
    statements: [
      `CREATE TABLE IF NOT EXISTS repository_instances (
         instance_id CHAR(36) NOT NULL PRIMARY KEY,
         started_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
         heartbeat_at DATETIME(6) NOT NULL
       )`,
      'ALTER TABLE upload_chunks ADD COLUMN IF NOT EXISTS claim_owner CHAR(36) NULL',
      'ALTER TABLE uploads ADD COLUMN IF NOT EXISTS completion_owner CHAR(36) NULL',
      'ALTER TABLE uploads ADD COLUMN IF NOT EXISTS completion_total_chunks BIGINT NULL',
      'ALTER TABLE uploads ADD COLUMN IF NOT EXISTS completion_sha256 CHAR(64) NULL',
    ],
  },
  {
    version: 11,
    name: 'who checked a file and its parts',
    // A chunk the client wrote to S3 itself (PresignChunks) is 'client'. A completion records the
    // client's SHA-256 for such an upload unless asked to verify (read back); the node says which,
    // with each part's SHA-256 when its parts are the chunks. Earlier rows were all hashed here.
    statements: [
      "ALTER TABLE upload_chunks ADD COLUMN IF NOT EXISTS written_by VARCHAR(16) NOT NULL DEFAULT 'service'",
      'ALTER TABLE uploads ADD COLUMN IF NOT EXISTS completion_verify BOOLEAN NULL',
      "ALTER TABLE nodes ADD COLUMN IF NOT EXISTS sha256_verified_by VARCHAR(16) NOT NULL DEFAULT 'service'",
      'ALTER TABLE nodes ADD COLUMN IF NOT EXISTS part_sha256 JSON NULL',
    ],
  },
  {
    version: 12,
    name: 'chunks staged together',
    // Small chunks that arrive together are staged as one object (group commit, docs/upload.md): a
    // chunk's bytes are then staged_offset.. of staged_object in the upload's staging folder. NULL:
    // the chunk's own object, named by its number, as before.
    statements: [
      'ALTER TABLE upload_chunks ADD COLUMN IF NOT EXISTS staged_object VARCHAR(64) NULL',
      'ALTER TABLE upload_chunks ADD COLUMN IF NOT EXISTS staged_offset BIGINT NOT NULL DEFAULT 0',
    ],
  },
  {
    version: 13,
    name: 'instances that read chunks staged together',
    // A repository instance of a release before group commit reads every staged chunk from an
    // object of its own. Instances that read batches say so in their heartbeat; while a live one
    // does not (a rolling upgrade under way), nobody writes batches (domain/chunks/group-commit.ts).
    statements: [
      'ALTER TABLE repository_instances ADD COLUMN IF NOT EXISTS reads_batches BOOLEAN NOT NULL DEFAULT FALSE',
    ],
  },
];
