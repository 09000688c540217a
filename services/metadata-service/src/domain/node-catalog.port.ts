import type { NodeVersion } from '@tessera/nodes';

/** The source of truth for node versions: the metadata database (TiDB). */
export interface NodeCatalog {
  /** The node's latest completed version; undefined for an unknown (or deleted) node. */
  latest(nodeId: string): Promise<NodeVersion | undefined>;
  version(nodeId: string, version: number): Promise<NodeVersion | undefined>;
  /** Latest versions of the drive's nodes with a node id after `afterNodeId`, by node id. */
  listLatest(driveId: string, afterNodeId: string, limit: number): Promise<NodeVersion[]>;
  /** Every version of the node, newest first. */
  versions(nodeId: string): Promise<NodeVersion[]>;
}
