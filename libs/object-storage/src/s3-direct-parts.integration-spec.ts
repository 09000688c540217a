import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { minioClientOptions } from '@tessera/testing';
import type { PresignedPart } from './object-store.port';
import { createS3Client } from './s3-client';
import { S3DirectParts } from './s3-direct-parts';
import { S3ObjectStore } from './s3-object-store';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The client's PUT of a presigned part: status, and the store's error code when refused. */
async function put(part: PresignedPart, body: Uint8Array, headers = part.headers) {
  const response = await fetch(part.url, { method: 'PUT', body, headers });
  const text = await response.text();
  return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] };
}

describe('parts written straight to MinIO with presigned URLs', () => {
  const client = createS3Client(minioClientOptions(2));
  const store = new S3ObjectStore(client, `direct-parts-${Date.now()}`);
  const parts = new S3DirectParts(client, client, store.bucket);

  beforeAll(() => store.ensureBucket());
  afterAll(() => client.destroy());

  it('stores the bytes the URL was signed for, and lists the part with its SHA-256', async () => {
    const target = await store.createMultipartUpload('direct/accepted');
    const data = randomBytes(5 * MiB);
    const presigned = await parts.presignUploadPart(target, 1, sha256(data), 60);

    expect(presigned.url).toContain('X-Amz-SignedHeaders=host%3Bx-amz-checksum-sha256');
    expect(await put(presigned, data)).toEqual({ status: 200, code: undefined });
    expect(await parts.listParts(target)).toEqual([
      {
        partNumber: 1,
        etag: expect.stringMatching(/^"[0-9a-f]+"$/),
        size: data.length,
        sha256: sha256(data),
      },
    ]);
    await store.abortMultipartUpload(target);
  });

  it('is refused by the store for other bytes, without the checksum header, or after it expired', async () => {
    const target = await store.createMultipartUpload('direct/refused');
    const data = randomBytes(MiB);
    const presigned = await parts.presignUploadPart(target, 1, sha256(data), 60);
    const other = randomBytes(MiB);

    expect(await put(presigned, other)).toEqual({ status: 400, code: 'XAmzContentChecksumMismatch' });
    expect(await put(presigned, data, {})).toMatchObject({ code: 'AccessDenied' });
    const otherChecksum = { 'x-amz-checksum-sha256': Buffer.from(sha256(other), 'hex').toString('base64') };
    expect(await put(presigned, other, otherChecksum)).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });

    const shortLived = await parts.presignUploadPart(target, 2, sha256(data), 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await put(shortLived, data)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await parts.listParts(target)).toEqual([]);
    await store.abortMultipartUpload(target);
  });

  it('cannot write another part than the one it was signed for', async () => {
    const target = await store.createMultipartUpload('direct/part-number');
    const data = randomBytes(MiB);
    const third = await parts.presignUploadPart(target, 3, sha256(data), 60);
    const asFourth = { ...third, url: third.url.replace('partNumber=3', 'partNumber=4') };

    expect(asFourth.url).not.toBe(third.url);
    expect(await put(asFourth, data)).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await parts.listParts(target)).toEqual([]);
    await store.abortMultipartUpload(target);
  });

  it("completes an object of the clients' parts and the service's own, byte for byte", async () => {
    const target = await store.createMultipartUpload('direct/mixed');
    const first = randomBytes(5 * MiB);
    const last = randomBytes(1000);
    expect(await put(await parts.presignUploadPart(target, 1, sha256(first), 60), first)).toMatchObject({
      status: 200,
    });
    await store.uploadPart(target, 2, last, last.length);

    const listed = await parts.listParts(target);
    expect(listed.map(({ partNumber, sha256: checksum }) => ({ partNumber, checksum }))).toEqual([
      { partNumber: 1, checksum: sha256(first) },
      { partNumber: 2, checksum: undefined },
    ]);
    await store.completeMultipartUpload(target, listed);
    const stored = await buffer(await store.readRange('direct/mixed', 0, first.length + last.length));
    expect(sha256(stored)).toBe(sha256(Buffer.concat([first, last])));
  });
});
