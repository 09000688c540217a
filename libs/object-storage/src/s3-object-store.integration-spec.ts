import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ErrorCode, TesseraError } from '@tessera/errors';
import { minioClientOptions, SERVICE_S3_TIMEOUTS } from '@tessera/testing';
import { createS3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('S3ObjectStore against MinIO', () => {
  const client = createS3Client(minioClientOptions(2));
  const store = new S3ObjectStore(client, `object-store-${Date.now()}`);

  beforeAll(() => store.ensureBucket());
  afterAll(() => client.destroy());

  it('puts a streamed object and reads back any byte range', async () => {
    const data = randomBytes(3 * MiB + 17);
    const stored = await store.putObject(
      'staged/a',
      Readable.from([data.subarray(0, MiB), data.subarray(MiB)]),
      data.length,
    );
    expect(stored.etag).toMatch(/^"[0-9a-f]+"$/);
    expect((await store.headObject('staged/a')).size).toBe(data.length);
    const middle = await buffer(await store.readRange('staged/a', MiB - 5, 2 * MiB));
    expect(sha256(middle)).toBe(sha256(data.subarray(MiB - 5, 3 * MiB - 5)));
    expect((await buffer(await store.readRange('staged/a', 0, 0))).length).toBe(0);
  });

  it('assembles parts and server-side copies of ranges into one object, with sparse part numbers', async () => {
    const source = randomBytes(12 * MiB);
    const { etag: sourceEtag } = await store.putObject('intermediate', source, source.length);
    const tail = randomBytes(1000);

    const target = await store.createMultipartUpload('drive/node');
    const copied = await store.uploadPartCopy(target, 2, {
      key: 'intermediate',
      etag: sourceEtag,
      offset: MiB,
      length: 6 * MiB,
    });
    const direct = await store.uploadPart(target, 7, Readable.from([tail]), tail.length);
    const result = await store.completeMultipartUpload(target, [copied, direct]);

    expect(result.etag).toMatch(/-2"$/);
    const stored = await buffer(await store.readRange('drive/node', 0, 6 * MiB + tail.length));
    expect(sha256(stored)).toBe(sha256(Buffer.concat([source.subarray(MiB, 7 * MiB), tail])));
  });

  it('refuses to copy from a version whose ETag changed', async () => {
    await store.putObject('changing', randomBytes(6 * MiB), 6 * MiB);
    const target = await store.createMultipartUpload('drive/other');
    const copy = store.uploadPartCopy(target, 1, { key: 'changing', etag: '"0000"', offset: 0, length: MiB });
    await expect(copy).rejects.toMatchObject({ code: ErrorCode.FailedPrecondition });
    await store.abortMultipartUpload(target);
  });

  it('reports a missing object or multipart upload as NOT_FOUND', async () => {
    await expect(store.headObject('missing')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(store.readRange('missing', 0, 10)).rejects.toBeInstanceOf(TesseraError);
    await expect(
      store.uploadPart({ key: 'x', uploadId: 'no-such-upload' }, 1, Buffer.from('a'), 1),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('deletes objects in batches and ignores ones already gone', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${i}`);
    await Promise.all(keys.slice(0, 3).map((key) => store.putObject(key, Buffer.from(key), key.length)));
    await store.deleteObjects(keys);
    await expect(store.headObject('many/0')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('creates versioned buckets: each put of a key is a version of its own, readable and deletable alone', async () => {
    expect(await store.isVersioned()).toBe(true);
    const first = await store.putObject('versioned', Buffer.from('one'), 3);
    const second = await store.putObject('versioned', Buffer.from('two!'), 4);
    expect(first.versionId).toBeDefined();
    expect(second.versionId).not.toBe(first.versionId);
    const read = async (versionId?: string) =>
      (await buffer(await store.readRange('versioned', 0, 3, versionId))).toString();
    expect(await read(first.versionId)).toBe('one');
    expect(await read()).toBe('two');

    await store.deleteObjects([{ key: 'versioned', versionId: second.versionId }]);
    expect(await read()).toBe('one');
    expect((await store.headObject('versioned')).versionId).toBe(first.versionId);
  });

  it('deletes every version of everything under a prefix, and nothing else', async () => {
    for (const key of ['gone/a', 'gone/a', 'gone/b', 'kept/a'])
      await store.putObject(key, Buffer.from(key), key.length);
    await store.deleteObjects(['gone/b']);
    await store.deletePrefix('gone/');
    await expect(store.headObject('gone/a')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await store.headObject('kept/a')).toMatchObject({ size: 6 });
    const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
    const left = await client.send(new ListObjectVersionsCommand({ Bucket: store.bucket, Prefix: 'gone/' }));
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
  });

  it('reports an unreachable store as UNAVAILABLE', async () => {
    const unreachable = createS3Client({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      timeouts: SERVICE_S3_TIMEOUTS,
    });
    await expect(new S3ObjectStore(unreachable, 'b').headObject('k')).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
    unreachable.destroy();
  });
});
