import { metrics } from '@opentelemetry/api';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3ObjectStore } from '@tessera/object-storage';
import type { NodeVersion } from '@tessera/nodes';
import type { ObjectReader } from '../domain/file-source.port';
import type { ByteRange } from '../domain/read-plan';

const bytesRead = metrics.getMeter('tessera.intake-gateway').createCounter('tessera.download.s3_read', {
  description: 'Bytes read from S3 for downloads',
  unit: 'By',
});

/** ObjectReader over S3: ranged GETs of the exact stored version of a node. */
export class S3ObjectReader implements ObjectReader {
  private readonly stores = new Map<string, S3ObjectStore>();

  /** `urlSigner`: the client whose endpoint is signed into presigned URLs (the one clients reach). */
  constructor(
    private readonly s3: S3Client,
    private readonly urlSigner: S3Client = s3,
  ) {}

  async readRange(node: NodeVersion, range: ByteRange): Promise<Uint8Array> {
    const stream = await this.storeOf(node.bucket).readRange(
      node.objectKey,
      range.offset,
      range.length,
      node.objectVersionId,
    );
    // Buffer.concat copies each byte once; stream/consumers' buffer() copies it twice (via a Blob).
    const pieces: Buffer[] = [];
    for await (const piece of stream) pieces.push(piece as Buffer);
    const data = Buffer.concat(pieces);
    bytesRead.add(data.length);
    return data;
  }

  presignedUrl(node: NodeVersion, ttlSeconds: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: node.bucket,
      Key: node.objectKey,
      ...(node.objectVersionId && { VersionId: node.objectVersionId }),
    });
    return getSignedUrl(this.urlSigner, command, { expiresIn: ttlSeconds });
  }

  private storeOf(bucket: string): S3ObjectStore {
    let store = this.stores.get(bucket);
    if (!store) this.stores.set(bucket, (store = new S3ObjectStore(this.s3, bucket)));
    return store;
  }
}
