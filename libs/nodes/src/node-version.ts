/**
 * One stored version of a node, as the repository service records it in TiDB (tables node_names
 * and nodes, owned by the repository service's migrations) and the metadata service reads it.
 */
export interface NodeVersion {
  nodeId: string;
  version: number;
  driveId: string;
  name: string;
  size: number;
  sha256: string;
  mimeType: string;
  userMetadata: Record<string, string>;
  bucket: string;
  objectKey: string;
  objectVersionId: string | undefined;
  etag: string;
  partSizes: number[];
  uploadId: string;
  createdAt: Date;
}

/** A row of the `nodes` table (as mysql2 returns it) as a NodeVersion. */
export function nodeVersionFromRow(row: Record<string, unknown>): NodeVersion {
  return {
    nodeId: row['node_id'] as string,
    version: Number(row['version']),
    driveId: row['drive_id'] as string,
    name: row['name'] as string,
    size: Number(row['size']),
    sha256: row['sha256'] as string,
    mimeType: row['mime_type'] as string,
    userMetadata: row['user_metadata'] as Record<string, string>,
    bucket: row['bucket'] as string,
    objectKey: row['object_key'] as string,
    objectVersionId: (row['object_version_id'] as string | null) ?? undefined,
    etag: row['etag'] as string,
    partSizes: (row['part_sizes'] as (number | string)[]).map(Number),
    uploadId: row['upload_id'] as string,
    createdAt: new Date(row['created_at'] as string | Date),
  };
}
