/** Deletes a node where it is stored (the repository service owns records and bytes). */
export interface NodeRemover {
  /** Deletes every version of the node; returns their numbers. NOT_FOUND for an unknown node. */
  deleteNode(nodeId: string): Promise<number[]>;
}
