/**
 * One stored version of a node, as the repository service records it in TiDB (tables node_names
 * and nodes, owned by the repository service's migrations) and the metadata service reads it.
 */
export type Sha256VerifiedBy = 'service' | 'client';

export interface NodeVersion {
  nodeId: string;
  version: number;
  driveId: string;
  name: string;
  size: number;
  sha256: string;
  /** 'service': hashed here from every byte; 'client': the client's, for an upload it wrote to S3 itself. */
  sha256VerifiedBy: Sha256VerifiedBy;
  mimeType: string;
  userMetadata: Record<string, string>;
  bucket: string;
  objectKey: string;
  objectVersionId: string | undefined;
  etag: string;
  partSizes: number[];
  /** Each part's SHA-256 when the parts are the upload's chunks; empty when they were rebuilt. */
  partSha256: string[];
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
    sha256VerifiedBy: row['sha256_verified_by'] === 'client' ? 'client' : 'service',
    mimeType: row['mime_type'] as string,
    userMetadata: row['user_metadata'] as Record<string, string>,
    bucket: row['bucket'] as string,
    objectKey: row['object_key'] as string,
    objectVersionId: (row['object_version_id'] as string | null) ?? undefined,
    etag: row['etag'] as string,
    partSizes: (row['part_sizes'] as (number | string)[]).map(Number),
    partSha256: (row['part_sha256'] as string[] | null) ?? [],
    uploadId: row['upload_id'] as string,
    createdAt: new Date(row['created_at'] as string | Date),
  };
}
