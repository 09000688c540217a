// Where staged chunks live in S3: one folder per upload under the staging prefix, deleted whole
// when the upload completes or is aborted (docs/upload.md).

/** A staged object's key: a chunk's own (named by its number) or a batch's (batchObjectName). */
export function stagingKeyOf(stagingPrefix: string, uploadId: string, object: string | number): string {
  return `${stagingFolderOf(stagingPrefix, uploadId)}${object}`;
}

/** Where all staged chunks of an upload live: deleting it removes every version of each. */
export function stagingFolderOf(stagingPrefix: string, uploadId: string): string {
  return `${stagingPrefix}${uploadId}/`;
}

/**
 * The object of chunks staged together. Named by its claim token too: a batch written again (its
 * claims taken over) never overwrites the bytes an earlier record may still point at.
 */
export function batchObjectName(firstChunk: number, lastChunk: number, token: string): string {
  return `b${firstChunk}-${lastChunk}-${token}`;
}
