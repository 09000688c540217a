import type { ChunkSink } from './domain/chunk-writer';
import type { NodeDeleter } from './domain/node-deleter';
import type { OneCallUploads } from './domain/one-call-uploads';
import type { UploadCompleter } from './domain/upload-completer';
import type { UploadSessions } from './domain/upload-sessions';

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
  completer: UploadCompleter;
  oneCall: OneCallUploads;
  deleter: NodeDeleter;
  limits: RepositoryLimits;
}
