import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { stackEndpoints } from '@tessera/testing';

describe('MinIO (real server)', () => {
  const { minio } = stackEndpoints();
  const s3 = new S3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
  const bucket = `smoke-${Date.now()}`;

  afterAll(() => s3.destroy());

  it('assembles a multipart upload into one byte-exact object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const key = 'drive/node';
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1234)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const etags = [];
    for (const [index, body] of parts.entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: index + 1, Body: body }),
      );
      etags.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags },
      }),
    );

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ETag).toMatch(/-2"$/);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(sha256(stored)).toBe(sha256(Buffer.concat(parts)));
  });
});
