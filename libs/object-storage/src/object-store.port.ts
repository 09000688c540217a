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
