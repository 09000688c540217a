import type { NodeVersion } from '@tessera/nodes';
import type { LifecycleEvent } from '../events/lifecycle-event';
import type { NewUpload } from './upload-store.port';

export type { NodeVersion };

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
   * transaction. Returns undefined (recording nothing) when the upload was not COMPLETING. With an
   * expected version, records nothing and fails with CONFLICT unless the node is still at it. The
   * event `announce` makes of the recorded version goes to the outbox in the same transaction.
   */
  recordCompletion(
    node: NewNodeVersion,
    expectedVersion: number | undefined,
    announce: (recorded: NodeVersion) => LifecycleEvent,
  ): Promise<NodeVersion | undefined>;
  /**
   * Records an upload that arrived whole in one call: its upload row, already COMPLETED, and the
   * node's next version, in one transaction with the events `initiated` and `completed` makes.
   * Fails with CONFLICT as recordCompletion does. Undefined (recording nothing) when the upload's
   * idempotency key was used in its drive already.
   */
  recordWholeUpload(
    upload: NewUpload,
    node: NewNodeVersion,
    events: { initiated: LifecycleEvent; completed: (recorded: NodeVersion) => LifecycleEvent },
  ): Promise<NodeVersion | undefined>;
  /**
   * Deletes the node's versions and its name record in one transaction, with the event `announce`
   * makes of them; returns the versions, newest first (none when there was nothing to delete).
   */
  deleteNode(
    nodeId: string,
    announce: (driveId: string, versions: NodeVersion[]) => LifecycleEvent,
  ): Promise<{ existed: boolean; versions: NodeVersion[] }>;
  /** The node's latest completed version; 0 before the first completes. */
  latestVersion(nodeId: string): Promise<number>;
  findVersion(nodeId: string, version: number): Promise<NodeVersion | undefined>;
  /** The version the upload's completion recorded (none when it has not completed). */
  findVersionOfUpload(uploadId: string): Promise<NodeVersion | undefined>;
}
