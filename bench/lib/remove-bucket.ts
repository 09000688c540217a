import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * Deletes a benchmark's bucket with every object version and open multipart upload in it: a run
 * writes gigabytes, and the stack's MinIO keeps them until it restarts.
 */
export async function removeBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const upload of uploads.Uploads ?? []) {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
    }
    if (!uploads.IsTruncated) break;
  }
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
    if (entries.length === 0) break;
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: entries.map((entry) => ({ Key: entry.Key!, VersionId: entry.VersionId })),
          Quiet: true,
        },
      }),
    );
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
