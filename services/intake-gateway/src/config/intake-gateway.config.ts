import { z } from 'zod';
import { hostPort, positiveInt, serviceEnvShape, servicePortsShape } from '@tessera/config';

/** Every environment variable the intake-gateway reads, validated at boot. */
export const IntakeGatewayEnvSchema = z.object({
  ...serviceEnvShape,
  ...servicePortsShape(50051, 8081),
  /** Where the repository service's internal gRPC API listens. */
  REPOSITORY_SERVICE_ADDRESS: hostPort('127.0.0.1:50052'),
  /** Where the metadata service's gRPC API listens. */
  METADATA_SERVICE_ADDRESS: hostPort('127.0.0.1:50053'),
  /** Largest chunk accepted (keep equal to the repository service's). */
  MAX_CHUNK_BYTES: positiveInt(64 * 1024 * 1024),
  /** Chunks travel to the repository service in data frames of this size. */
  DATA_FRAME_BYTES: positiveInt(1024 * 1024),
});

export type IntakeGatewayConfig = z.output<typeof IntakeGatewayEnvSchema>;
