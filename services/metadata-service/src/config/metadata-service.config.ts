import { z } from 'zod';
import { serviceEnvShape, servicePortsShape } from '@tessera/config';

/** Every environment variable the metadata-service reads, validated at boot. */
export const MetadataServiceEnvSchema = z.object({
  ...serviceEnvShape,
  ...servicePortsShape(50053, 8083),
});

export type MetadataServiceConfig = z.output<typeof MetadataServiceEnvSchema>;
