import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** The baseline upload: `@aws-sdk/lib-storage` multipart from a file stream. Returns seconds. */
export async function uploadWithLibStorage(
  s3: S3Client,
  bucket: string,
  path: string,
  { partBytes, queueSize }: { partBytes: number; queueSize: number },
): Promise<number> {
  const started = performance.now();
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: `direct-${Date.now()}.bin`,
      Body: createReadStream(path, { highWaterMark: 1024 * 1024 }),
    },
    partSize: partBytes,
    queueSize,
  });
  await upload.done();
  return (performance.now() - started) / 1000;
}

/**
 * The baseline download: parallel ranged GETs of one object, consumed in order and hashed.
 * Returns seconds and the SHA-256.
 */
export async function downloadWithRangedGets(
  s3: S3Client,
  bucket: string,
  key: string,
  size: number,
  { rangeBytes, parallelism }: { rangeBytes: number; parallelism: number },
): Promise<{ seconds: number; sha256: string }> {
  const started = performance.now();
  const ranges = Array.from({ length: Math.ceil(size / rangeBytes) }, (_, index) => index * rangeBytes);
  const get = async (offset: number) => {
    const last = Math.min(size, offset + rangeBytes) - 1;
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${last}` }),
    );
    return Buffer.from(await response.Body!.transformToByteArray());
  };
  const inFlight: Promise<Buffer>[] = ranges.slice(0, parallelism).map(get);
  const hash = createHash('sha256');
  for (let index = 0; index < ranges.length; index++) {
    const data = await inFlight[index]!;
    if (index + parallelism < ranges.length) inFlight.push(get(ranges[index + parallelism]!));
    hash.update(data);
  }
  return { seconds: (performance.now() - started) / 1000, sha256: hash.digest('hex') };
}
