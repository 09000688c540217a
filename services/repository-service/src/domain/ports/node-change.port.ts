/**
 * Told about every write to a node (a new version, a deletion) before the write is reported done,
 * so that readers' caches never serve what the write replaced. Fails when it could not be told.
 */
export interface NodeChangeListener {
  nodeChanged(nodeId: string): Promise<void>;
}
