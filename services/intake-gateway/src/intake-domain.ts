import type { ChunkBytesBudget } from './domain/chunk-bytes-budget';
import type { ChunkLimits } from './domain/chunk-check';
import type { FileReader } from './domain/file-reader';
import type { NewUploadGate } from './domain/new-upload-gate';
import type { NodeDirectory } from './domain/node-directory.port';
import type { Repository } from './domain/repository.port';
import type { ServerLimits } from './domain/server-limits';

/** Injection token of what the intake gateway's API uses, built at the composition root. */
export const INTAKE_DOMAIN = Symbol('IntakeDomain');

export interface IntakeDomain {
  repository: Repository;
  /** Refuses new uploads while the metadata cache is unavailable. */
  newUploads: NewUploadGate;
  limits: ChunkLimits;
  /** Bounds the chunk bytes held while forwarding (RESOURCE_EXHAUSTED beyond). */
  chunkBytes: ChunkBytesBudget;
  files: FileReader;
  /** The metadata service's node API, passed through to clients. */
  nodes: NodeDirectory;
  /** The repository's limits, kept for a minute. */
  serverLimits: ServerLimits;
  /** Largest data message of a download. */
  readMessageBytes: number;
}
