import { z } from 'zod';
import {
  hostPort,
  positiveInt,
  s3CredentialsPaired,
  s3EnvShape,
  serviceEnvShape,
  servicePortsShape,
} from '@tessera/config';

const MiB = 1024 * 1024;

/** Every environment variable the intake-gateway reads, validated at boot. */
export const IntakeGatewayEnvSchema = z
  .object({
    ...serviceEnvShape,
    ...servicePortsShape(50051, 8081),
    /**
     * Fewer than the other services: every call may carry a whole chunk, received before it is
     * handled (200 uploads at once: peak RSS 1,284 MiB at 100, 824 MiB at 32; docs/benchmarks.md).
     */
    GRPC_MAX_CONCURRENT_STREAMS: positiveInt(32),
    /** Where the repository service's internal gRPC API listens. */
    REPOSITORY_SERVICE_ADDRESS: hostPort('127.0.0.1:50052'),
    /** Where the metadata service's gRPC API listens. */
    METADATA_SERVICE_ADDRESS: hostPort('127.0.0.1:50053'),
    /** Largest chunk accepted (keep equal to the repository service's). */
    MAX_CHUNK_BYTES: positiveInt(64 * 1024 * 1024),
    /**
     * Chunk bytes held at once while forwarding them (every chunk arrives whole); a chunk beyond it
     * is refused with RESOURCE_EXHAUSTED / 429. At least MAX_CHUNK_BYTES.
     */
    MAX_INFLIGHT_CHUNK_BYTES: positiveInt(256 * MiB),
    /**
     * UploadChunk and UploadChunks calls open at once, over all connections; more are refused at
     * their headers (RESOURCE_EXHAUSTED with the retry-after hint), before their chunk is read.
     * With MAX_CHUNK_BYTES it bounds the chunk bytes this gateway can hold.
     */
    MAX_OPEN_CHUNK_CALLS: positiveInt(64),
    /** The retry-after hint of a refused chunk or a refused new upload. */
    THROTTLE_RETRY_AFTER_SECONDS: positiveInt(1),
    /** How often the metadata service is asked whether its cache is usable (new uploads need it). */
    CACHE_HEALTH_INTERVAL_MS: positiveInt(1000),
    /** An answer later than this counts as slow when judging whether the metadata service can be asked. */
    CACHE_HEALTH_TIMEOUT_MS: positiveInt(1000),
    /** Downloads read S3 directly (the bucket and key come with each node's metadata). */
    ...s3EnvShape,
    /** Ranged S3 reads in flight per download. */
    READ_PARALLELISM: positiveInt(8),
    /** Largest ranged S3 read; a download holds at most READ_PARALLELISM of them. */
    READ_RANGE_BYTES: positiveInt(8 * MiB),
    /** Largest data message of ReadFile (clients' default receive limit is 4 MiB). */
    READ_MESSAGE_BYTES: positiveInt(1 * MiB),
    /** GetDownloadUrl: lifetime of a URL when the client names none (15 min). */
    DOWNLOAD_URL_TTL_SECONDS: positiveInt(900),
    /** GetDownloadUrl: the longest lifetime a client may ask for (S3 allows at most 7 days). */
    DOWNLOAD_URL_MAX_TTL_SECONDS: positiveInt(3600).refine(
      (seconds) => seconds <= 604_800,
      'at most 604800 (7 days)',
    ),
  })
  .refine(...s3CredentialsPaired)
  .refine((env) => env.MAX_INFLIGHT_CHUNK_BYTES >= env.MAX_CHUNK_BYTES, {
    message: 'must be at least MAX_CHUNK_BYTES',
    path: ['MAX_INFLIGHT_CHUNK_BYTES'],
  });

export type IntakeGatewayConfig = z.output<typeof IntakeGatewayEnvSchema>;
