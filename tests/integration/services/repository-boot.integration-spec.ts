import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@tessera/object-storage';
import { minioClientOptions, stackEndpoints } from '@tessera/testing';
import { REPO_ROOT, startServiceProcess } from './service-process';

const run = promisify(execFile);

describe('the repository service refuses a bucket that would let versions overwrite each other', () => {
  const { minio } = stackEndpoints();
  const bucket = `unversioned-${Date.now()}`;
  const env = {
    ...process.env,
    GRPC_PORT: '0',
    HTTP_PORT: '0',
    OTEL_SDK_DISABLED: 'true',
    TIDB_DATABASE: `repository_boot_${Date.now()}`,
    S3_ENDPOINT: minio.endpoint,
    S3_ACCESS_KEY_ID: minio.accessKeyId,
    S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
    S3_BUCKET: bucket,
    S3_CREATE_BUCKET: 'false',
  };

  beforeAll(async () => {
    const s3 = createS3Client(minioClientOptions(1));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
  });

  it('exits naming S3_BUCKET when the bucket is unversioned and versions share a key', async () => {
    const failed = await run(
      process.execPath,
      [join(REPO_ROOT, 'services/repository-service/dist/main.js')],
      {
        env,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain(
      `S3_BUCKET ${bucket} does not have versioning enabled`,
    );
  });

  it('starts on the same bucket when the key template gives each upload its own key', async () => {
    const service = await startServiceProcess('repository-service', {
      ...env,
      OBJECT_KEY_TEMPLATE: '{drive_id}/{node_id}/{upload_id}',
    } as Record<string, string>);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });
});
