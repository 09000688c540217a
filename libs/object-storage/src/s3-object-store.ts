import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type {
  CopySource,
  MultipartTarget,
  ObjectBody,
  ObjectInfo,
  ObjectRef,
  ObjectStore,
  StoredObject,
  UploadedPart,
} from './object-store.port';
import { toStorageError } from './s3-error';
import { meteredS3Call } from './s3-request-metrics';

const DELETE_BATCH = 1000;

function requireEtag(etag: string | undefined, operation: string): string {
  if (!etag) throw new Error(`object storage returned no ETag for ${operation}`);
  return etag;
}

function copySourceOf(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The SDK pipes a stream body into its HTTP request, and pipe passes no error on: a body that fails
 * midway (its sender gone) would leave the request waiting for the rest of its bytes forever. This
 * aborts the request when the body fails.
 */
function abortedWhenBodyFails(body: ObjectBody): { abortSignal?: AbortSignal } {
  if (!(body instanceof Readable)) return {};
  const controller = new AbortController();
  body.once('error', (error) => controller.abort(error));
  return { abortSignal: controller.signal };
}

/**
 * An answer's body that fails midway (its connection cut, or silent past the idle timeout) fails
 * with the same TesseraError as a request would, not with the SDK's error.
 */
function failingAsStorageError(body: Readable, operation: string, key: string): Readable {
  return Readable.from(
    (async function* () {
      try {
        yield* body;
      } catch (error) {
        throw toStorageError(error, operation, key);
      }
    })(),
    { objectMode: false },
  );
}

/** ObjectStore over one bucket of an S3-compatible store. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** Creates the bucket when it does not exist and turns versioning on (local development and tests). */
  async ensureBucket(): Promise<void> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.call('CreateBucket', this.bucket, () =>
        this.s3.send(new CreateBucketCommand({ Bucket: this.bucket })),
      );
    }
    if (await this.isVersioned()) return;
    await this.call('PutBucketVersioning', this.bucket, () =>
      this.s3.send(
        new PutBucketVersioningCommand({
          Bucket: this.bucket,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      ),
    );
  }

  /** Whether the bucket keeps every version of an object (S3 versioning enabled). */
  async isVersioned(): Promise<boolean> {
    const output = await this.call('GetBucketVersioning', this.bucket, () =>
      this.s3.send(new GetBucketVersioningCommand({ Bucket: this.bucket })),
    );
    return output.Status === 'Enabled';
  }

  async putObject(key: string, body: ObjectBody, size: number, contentType?: string): Promise<StoredObject> {
    const output = await this.call('PutObject', key, () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: size,
          ...(contentType && { ContentType: contentType }),
        }),
        abortedWhenBodyFails(body),
      ),
    );
    return { etag: requireEtag(output.ETag, 'PutObject'), versionId: output.VersionId };
  }

  async headObject(key: string, versionId?: string): Promise<ObjectInfo> {
    const output = await this.call('HeadObject', key, () =>
      this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId && { VersionId: versionId }) }),
      ),
    );
    return {
      size: output.ContentLength ?? 0,
      etag: requireEtag(output.ETag, 'HeadObject'),
      versionId: output.VersionId,
    };
  }

  async readRange(key: string, offset: number, length: number, versionId?: string): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    const output = await this.call('GetObject', key, () =>
      this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: `bytes=${offset}-${offset + length - 1}`,
          ...(versionId && { VersionId: versionId }),
        }),
      ),
    );
    return failingAsStorageError(output.Body as Readable, 'GetObject', key);
  }

  async deleteObjects(objects: ObjectRef[]): Promise<void> {
    const identifiers = objects.map((object) =>
      typeof object === 'string' ? { Key: object } : { Key: object.key, VersionId: object.versionId },
    );
    for (let start = 0; start < identifiers.length; start += DELETE_BATCH) {
      const batch = identifiers.slice(start, start + DELETE_BATCH);
      const output = await this.call('DeleteObjects', batch[0]?.Key ?? '', () =>
        this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }),
        ),
      );
      const failed = output.Errors?.filter((error) => error.Code !== 'NoSuchKey') ?? [];
      if (failed.length > 0) {
        throw toStorageError(
          { name: failed[0]!.Code, $fault: 'server' },
          'DeleteObjects',
          failed[0]!.Key ?? '',
        );
      }
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (prefix.length === 0) throw new RangeError('refusing to delete every object of the bucket');
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await this.call('ListObjectVersions', prefix, () =>
        this.s3.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
        ),
      );
      const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
      await this.deleteObjects(entries.map((entry) => ({ key: entry.Key!, versionId: entry.VersionId })));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
  }

  async createMultipartUpload(key: string, contentType?: string): Promise<MultipartTarget> {
    const output = await this.call('CreateMultipartUpload', key, () =>
      this.s3.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          ...(contentType && { ContentType: contentType }),
        }),
      ),
    );
    if (!output.UploadId) throw new Error(`object storage returned no UploadId for ${key}`);
    return { key, uploadId: output.UploadId };
  }

  async uploadPart(
    target: MultipartTarget,
    partNumber: number,
    body: ObjectBody,
    size: number,
  ): Promise<UploadedPart> {
    const output = await this.call('UploadPart', target.key, () =>
      this.s3.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: target.key,
          UploadId: target.uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: size,
        }),
        abortedWhenBodyFails(body),
      ),
    );
    return { partNumber, etag: requireEtag(output.ETag, 'UploadPart') };
  }

  async uploadPartCopy(
    target: MultipartTarget,
    partNumber: number,
    source: CopySource,
  ): Promise<UploadedPart> {
    const output = await this.call('UploadPartCopy', target.key, () =>
      this.s3.send(
        new UploadPartCopyCommand({
          Bucket: this.bucket,
          Key: target.key,
          UploadId: target.uploadId,
          PartNumber: partNumber,
          CopySource:
            copySourceOf(this.bucket, source.key) +
            (source.versionId ? `?versionId=${encodeURIComponent(source.versionId)}` : ''),
          CopySourceIfMatch: source.etag,
          CopySourceRange: `bytes=${source.offset}-${source.offset + source.length - 1}`,
        }),
      ),
    );
    return { partNumber, etag: requireEtag(output.CopyPartResult?.ETag, 'UploadPartCopy') };
  }

  async completeMultipartUpload(target: MultipartTarget, parts: UploadedPart[]): Promise<StoredObject> {
    const output = await this.call('CompleteMultipartUpload', target.key, () =>
      this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: target.key,
          UploadId: target.uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
      ),
    );
    return { etag: requireEtag(output.ETag, 'CompleteMultipartUpload'), versionId: output.VersionId };
  }

  async abortMultipartUpload(target: MultipartTarget): Promise<void> {
    await this.call('AbortMultipartUpload', target.key, () =>
      this.s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: target.key, UploadId: target.uploadId }),
      ),
    );
  }

  private call<T>(operation: string, key: string, send: () => Promise<T>): Promise<T> {
    return meteredS3Call(operation, key, send);
  }
}
