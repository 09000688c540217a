import type { NodeVersion } from '@tessera/nodes';
import type { NodeLookup } from './file-source.port';

export interface NodePage {
  nodes: NodeVersion[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/**
 * The metadata service's node API, offered to clients through the gateway (only the gateway is
 * reachable from outside a deployment). The metadata service validates and answers; its statuses
 * reach the client unchanged.
 */
export interface NodeDirectory extends NodeLookup {
  listNodes(driveId: string, pageSize: number, pageToken: string): Promise<NodePage>;
  /** Newest first. */
  listVersions(nodeId: string): Promise<NodeVersion[]>;
  deleteNode(nodeId: string): Promise<void>;
}
