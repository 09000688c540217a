/** One stored version of a node, as recorded when its upload completes. */
export interface NodeVersion {
  nodeId: string;
  version: number;
  driveId: string;
  name: string;
  size: number;
  sha256: string;
  mimeType: string;
  userMetadata: Record<string, string>;
  bucket: string;
  objectKey: string;
  objectVersionId: string | undefined;
  etag: string;
  partSizes: number[];
  uploadId: string;
  createdAt: Date;
}

export type NewNodeVersion = Omit<NodeVersion, 'version' | 'createdAt'>;

/** Nodes and their versions in the metadata database. */
export interface NodeStore {
  /**
   * The node id of (drive, name): the existing one, or `candidate` when the name is new in the
   * drive. Concurrent callers for a new name all get the same id.
   */
  resolveNodeId(driveId: string, name: string, candidate: string): Promise<string>;
  /**
   * Records the next version of the node and moves its upload from COMPLETING to COMPLETED, in one
   * transaction. Returns undefined (recording nothing) when the upload was not COMPLETING.
   */
  recordCompletion(node: NewNodeVersion): Promise<NodeVersion | undefined>;
  findVersion(nodeId: string, version: number): Promise<NodeVersion | undefined>;
}
