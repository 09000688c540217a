import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { createTidbPool, migrate } from '@tessera/sql';
import { minioClientOptions, stackEndpoints } from '@tessera/testing';
import type { Pool } from 'mysql2/promise';
import { MIGRATIONS } from '../adapters/tidb/migrations';
import { TidbNodeStore } from '../adapters/tidb/tidb-node-store';
import { TidbUploadStore } from '../adapters/tidb/tidb-upload-store';
import { ChunkWriter } from '../domain/chunks/chunk-writer';

/** The repository service's adapters on the local stack: a fresh database and bucket per test file. */
export interface RealStack {
  pool: Pool;
  /** The client `objects` uses. */
  s3: S3Client;
  objects: S3ObjectStore;
  uploads: TidbUploadStore;
  nodes: TidbNodeStore;
  /** A ChunkWriter on this stack: chunks up to 64 MiB, claims stale after a minute. */
  chunkWriter(stagingPrefix: string): ChunkWriter;
  /** Every version and delete marker under the prefix, as "key@versionId". */
  versionsUnder(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function openRealStack(name: string): Promise<RealStack> {
  const { tidb } = stackEndpoints();
  const run = `${name}_${Date.now()}`;
  const admin = createTidbPool({ ...tidb, password: '', database: run, connectionLimit: 1 }, false);
  await migrate(admin, { database: run, migrations: MIGRATIONS, lockTimeoutSeconds: 30 }).finally(() =>
    admin.end(),
  );
  const pool = createTidbPool({
    ...tidb,
    password: '',
    database: run,
    connectionLimit: 12,
    multipleStatements: true,
  });
  const s3 = createS3Client(minioClientOptions(2));
  const objects = new S3ObjectStore(s3, run.replaceAll('_', '-'));
  await objects.ensureBucket();
  const uploads = new TidbUploadStore(pool);
  return {
    pool,
    s3,
    objects,
    uploads,
    nodes: new TidbNodeStore(pool),
    chunkWriter: (stagingPrefix) =>
      new ChunkWriter(uploads, objects, {
        maxChunkBytes: 64 * 1024 * 1024,
        maxChunkNumber: 1_000_000,
        claimStaleAfterMs: 60_000,
        stagingPrefix,
      }),
    versionsUnder: async (prefix) => {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: objects.bucket, Prefix: prefix }));
      return [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => `${v.Key}@${v.VersionId}`);
    },
    close: async () => {
      await pool.end();
      s3.destroy();
    },
  };
}
