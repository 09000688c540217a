import type { ChunkSink } from './domain/chunks/chunk-writer';
import type { GroupCommit } from './domain/chunks/group-commit';
import type { DirectChunks } from './domain/chunks/direct-chunks';
import type { NodeDeleter } from './domain/maintenance/node-deleter';
import type { OneCallUploads } from './domain/uploads/one-call-uploads';
import type { UploadCompleter } from './domain/completion/upload-completer';
import type { UploadSessions } from './domain/uploads/upload-sessions';

/** Injection token of the repository service's domain, built at the composition root. */
export const REPOSITORY_DOMAIN = Symbol('RepositoryDomain');

export interface RepositoryLimits {
  maxOneCallFileBytes: number;
  suggestedChunkBytes: number;
  maxChunkBytes: number;
  maxChunkNumber: number;
  maxInflightChunksPerUpload: number;
}

export interface RepositoryDomain {
  sessions: UploadSessions;
  writer: ChunkSink;
  /** How many bytes of small chunks that arrived together are written as one batch now. */
  groupCommit: Pick<GroupCommit, 'batchBytes'>;
  completer: UploadCompleter;
  oneCall: OneCallUploads;
  /** Chunks clients write straight to S3; undefined when DIRECT_UPLOADS is off. */
  direct: DirectChunks | undefined;
  deleter: NodeDeleter;
  limits: RepositoryLimits;
}
