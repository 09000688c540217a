import type { NodeVersion } from '@tessera/nodes';
import type { ByteRange } from './read-plan';

/** Node metadata, from the metadata service. */
export interface NodeLookup {
  /** The latest version or the given one; NOT_FOUND when there is none. */
  getNode(nodeId: string, version: number | undefined): Promise<NodeVersion>;
}

/** Bytes of stored objects, from S3. */
export interface ObjectReader {
  /** The bytes of one range of the node's stored version, in pieces of at most `pieceBytes`. */
  readRange(node: NodeVersion, range: ByteRange, pieceBytes: number): Promise<Uint8Array[]>;
  /** A presigned GET URL of the node's stored version, valid for ttlSeconds. */
  presignedUrl(node: NodeVersion, ttlSeconds: number): Promise<string>;
}
