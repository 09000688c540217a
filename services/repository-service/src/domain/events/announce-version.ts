import { ErrorCode, TesseraError } from '@tessera/errors';
import type { NodeChangeListener } from '../ports/node-change.port';
import type { NodeVersion } from '../ports/node-store.port';

/** The version is durable; until readers' caches know it, the write is not reported done. */
export async function announceVersion(changes: NodeChangeListener, node: NodeVersion): Promise<void> {
  try {
    await changes.versionWritten(node);
  } catch (error) {
    throw new TesseraError(
      ErrorCode.Unavailable,
      `upload ${node.uploadId} completed as version ${node.version} of node ${node.nodeId}, but the ` +
        'metadata cache could not be refreshed: reads may return the previous version until it is',
      { cause: error },
    );
  }
}
