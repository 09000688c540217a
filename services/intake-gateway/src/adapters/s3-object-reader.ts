import { metrics } from '@opentelemetry/api';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3ObjectStore } from '@tessera/object-storage';
import { allocateWithHeadroom } from '@tessera/contracts';
import { ErrorCode, TesseraError } from '@tessera/errors';
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

  /**
   * Copies each byte once, from the socket's buffers into pieces allocated with room for the
   * ReadFile message's fields before them, so encoding the message copies nothing more.
   */
  async readRange(node: NodeVersion, range: ByteRange, pieceBytes: number): Promise<Uint8Array[]> {
    const stream = await this.storeOf(node.bucket).readRange(
      node.objectKey,
      range.offset,
      range.length,
      node.objectVersionId,
    );
    const pieces: Buffer[] = [];
    let piece: Buffer = Buffer.alloc(0);
    let filled = 0;
    let read = 0;
    for await (const received of stream as AsyncIterable<Buffer>) {
      for (let at = 0; at < received.length;) {
        if (filled === piece.length) {
          if (read + filled >= range.length)
            throw new TesseraError(
              ErrorCode.Unavailable,
              `S3 sent more than the ${range.length} bytes asked for`,
            );
          read += filled;
          pieces.push((piece = allocateWithHeadroom(Math.min(pieceBytes, range.length - read))));
          filled = 0;
        }
        const copied = received.copy(piece, filled, at);
        filled += copied;
        at += copied;
      }
    }
    read += filled;
    if (read !== range.length)
      throw new TesseraError(ErrorCode.Unavailable, `S3 sent ${read} of the ${range.length} bytes asked for`);
    bytesRead.add(read);
    return pieces;
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
