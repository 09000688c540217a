import type { Readable } from 'node:stream';

/** Bytes to store: whole in memory, or a stream of exactly the announced size. */
export type ObjectBody = Uint8Array | Readable;

export interface StoredObject {
  etag: string;
  /** Set when the bucket is versioned. */
  versionId: string | undefined;
}

/** An open multipart upload. */
export interface MultipartTarget {
  key: string;
  uploadId: string;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** A byte range of an existing object, pinned to the version with this ETag. */
export interface CopySource {
  key: string;
  etag: string;
  /** The version to copy from, in a versioned bucket. */
  versionId?: string | undefined;
  offset: number;
  length: number;
}

/** An object by key (its current version), or one version of it. */
export type ObjectRef = string | { key: string; versionId: string | undefined };

export interface ObjectInfo {
  size: number;
  etag: string;
  versionId: string | undefined;
}

/**
 * Tessera's view of S3-compatible storage, one bucket. Failures are TesseraErrors: NOT_FOUND for a
 * missing object or multipart upload, FAILED_PRECONDITION when a pinned ETag no longer matches,
 * UNAVAILABLE when the store cannot be reached or answers with a server error (worth a retry).
 */
export interface ObjectStore {
  readonly bucket: string;
  putObject(key: string, body: ObjectBody, size: number, contentType?: string): Promise<StoredObject>;
  headObject(key: string, versionId?: string): Promise<ObjectInfo>;
  /** Streams `length` bytes from `offset` (of a version when given). */
  readRange(key: string, offset: number, length: number, versionId?: string): Promise<Readable>;
  /** Deletes objects, or single versions of them; missing ones are ignored. */
  deleteObjects(objects: ObjectRef[]): Promise<void>;
  /** Deletes every object under the prefix, every version of each (and delete markers). */
  deletePrefix(prefix: string): Promise<void>;

  createMultipartUpload(key: string, contentType?: string): Promise<MultipartTarget>;
  uploadPart(
    target: MultipartTarget,
    partNumber: number,
    body: ObjectBody,
    size: number,
  ): Promise<UploadedPart>;
  /** Copies a range of an existing object into a part, inside the store. */
  uploadPartCopy(target: MultipartTarget, partNumber: number, source: CopySource): Promise<UploadedPart>;
  /** Parts must be in ascending part-number order. */
  completeMultipartUpload(target: MultipartTarget, parts: UploadedPart[]): Promise<StoredObject>;
  abortMultipartUpload(target: MultipartTarget): Promise<void>;
}

/** A part a client uploads itself: a PUT of its bytes to `url` with exactly these headers. */
export interface PresignedPart {
  partNumber: number;
  url: string;
  /** Signed with the URL: the store refuses the PUT without them, or with bytes they do not match. */
  headers: Record<string, string>;
  expiresAt: Date;
}

/** A part of a multipart upload as the store lists it. */
export interface ListedPart extends UploadedPart {
  size: number;
  /** Lower-case hex; set when the part was stored with a SHA-256 checksum the store verified. */
  sha256: string | undefined;
}

/**
 * The parts of a multipart upload that clients write straight to the store. A presigned part is
 * bound to its upload, its part number and its SHA-256 (the signed `x-amz-checksum-sha256` header):
 * the store itself refuses other bytes, another part number, or a PUT after the URL expired.
 */
export interface DirectPartStore {
  presignUploadPart(
    target: MultipartTarget,
    partNumber: number,
    sha256: string,
    ttlSeconds: number,
  ): Promise<PresignedPart>;
  /** Every stored part, in part-number order. */
  listParts(target: MultipartTarget): Promise<ListedPart[]>;
}
