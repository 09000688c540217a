import { TesseraError } from '@tessera/errors';
import type { ObjectStore } from '@tessera/object-storage';
import { lifecycleEvent } from '../events/lifecycle-event';
import type { NodeChangeListener } from '../ports/node-change.port';
import type { NodeStore, NodeVersion } from '../ports/node-store.port';
import type { UploadSessions } from '../uploads/upload-sessions';
import type { UploadStore } from '../ports/upload-store.port';

/**
 * Deletes a node: its unfinished uploads are aborted, its records deleted in one transaction, then
 * every stored version of its bytes. An upload completing meanwhile fails (its name record is gone).
 */
export class NodeDeleter {
  constructor(
    private readonly uploads: UploadStore,
    private readonly sessions: UploadSessions,
    private readonly nodes: NodeStore,
    private readonly objects: ObjectStore,
    private readonly changes: NodeChangeListener,
  ) {}

  /** Returns the deleted versions, newest first; NOT_FOUND for an unknown node. */
  async delete(nodeId: string): Promise<NodeVersion[]> {
    for (const upload of await this.uploads.findUnfinishedOfNode(nodeId)) {
      await this.sessions.abort(upload.uploadId);
    }
    const { existed, versions } = await this.nodes.deleteNode(nodeId, (driveId, deleted) =>
      lifecycleEvent.nodeDeleted(nodeId, driveId, deleted[0]),
    );
    if (!existed) throw TesseraError.notFound('node', nodeId);
    // The records are gone first: a failure from here on leaves unreferenced bytes, never a
    // record pointing at missing ones.
    await this.objects.deleteObjects(
      versions.map((version) =>
        version.objectVersionId
          ? { key: version.objectKey, versionId: version.objectVersionId }
          : version.objectKey,
      ),
    );
    await this.changes.nodeChanged(nodeId);
    return versions;
  }
}
