import type { NodeVersion } from './node-store.port';

/**
 * Told about every write to a node (a new version, a deletion) before the write is reported done,
 * so that readers' caches never serve what the write replaced. Fails when it could not be told.
 */
export interface NodeChangeListener {
  /** A new version was committed: this is it, as stored. */
  versionWritten(node: NodeVersion): Promise<void>;
  /** Anything else changed (a deletion): the listener reads what there is now. */
  nodeChanged(nodeId: string): Promise<void>;
}
