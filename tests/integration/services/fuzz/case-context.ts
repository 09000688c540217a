import type { Client } from '@grpc/grpc-js';
import type { FuzzFixtures } from './fuzz-fixtures';
import type { HttpTarget } from './raw-http';
import type { RawGrpcClient } from './raw-grpc-client';
import type { RawGrpcFrames } from './raw-grpc-frames';
import type { SeededRandom } from './seeded-random';

/** What case generators draw from and what their cases send through. */
export interface CaseContext {
  /** Used while generating only: a case's run() sends what was drawn, whatever the order cases run in. */
  random: SeededRandom;
  grpc: RawGrpcClient;
  /** Typed clients of UploadService and DownloadService, for cases that use what a call answered. */
  uploads: Client;
  downloads: Client;
  frames: RawGrpcFrames;
  http: HttpTarget;
  fixtures: FuzzFixtures;
  /** The gateway's GRPC_MAX_RECEIVE_MESSAGE_BYTES and MAX_CHUNK_BYTES. */
  maxReceiveBytes: number;
  maxChunkBytes: number;
}
