import { ListPartsCommand, type S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DirectPartStore, ListedPart, MultipartTarget, PresignedPart } from './object-store.port';
import { meteredS3Call } from './s3-request-metrics';

const CHECKSUM_HEADER = 'x-amz-checksum-sha256';
// The presigner moves x-amz-* headers into the query string unless told not to; there the store
// would not compare the checksum with the bytes, and the client could leave it out.
const SIGNED_HEADERS = new Set([CHECKSUM_HEADER]);
const SHA256_HEX = /^[0-9a-f]{64}$/;

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

/** DirectPartStore over one bucket of an S3-compatible store (presigned UploadPart, ListParts). */
export class S3DirectParts implements DirectPartStore {
  constructor(
    /** Signs with the endpoint clients reach, which may differ from the services' own. */
    private readonly signer: S3Client,
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async presignUploadPart(
    target: MultipartTarget,
    partNumber: number,
    sha256: string,
    ttlSeconds: number,
  ): Promise<PresignedPart> {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a lower-case hex SHA-256: "${sha256}"`);
    const checksum = hexToBase64(sha256);
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: target.key,
      UploadId: target.uploadId,
      PartNumber: partNumber,
      ChecksumSHA256: checksum,
    });
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const url = await getSignedUrl(this.signer, command, {
      expiresIn: ttlSeconds,
      unhoistableHeaders: SIGNED_HEADERS,
    });
    return { partNumber, url, headers: { [CHECKSUM_HEADER]: checksum }, expiresAt };
  }

  async listParts(target: MultipartTarget): Promise<ListedPart[]> {
    const parts: ListedPart[] = [];
    let marker: string | undefined;
    do {
      const page = await meteredS3Call('ListParts', target.key, () =>
        this.s3.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: target.key,
            UploadId: target.uploadId,
            ...(marker && { PartNumberMarker: marker }),
          }),
        ),
      );
      for (const part of page.Parts ?? []) {
        parts.push({
          partNumber: part.PartNumber!,
          etag: part.ETag!,
          size: part.Size ?? 0,
          sha256: part.ChecksumSHA256 ? base64ToHex(part.ChecksumSHA256) : undefined,
        });
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker !== undefined);
    return parts;
  }
}
