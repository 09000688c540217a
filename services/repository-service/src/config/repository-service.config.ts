import { z } from 'zod';
import { serviceEnvShape, servicePortsShape } from '@tessera/config';

/** Every environment variable the repository-service reads, validated at boot. */
export const RepositoryServiceEnvSchema = z.object({
  ...serviceEnvShape,
  ...servicePortsShape(50052, 8082),
});

export type RepositoryServiceConfig = z.output<typeof RepositoryServiceEnvSchema>;
