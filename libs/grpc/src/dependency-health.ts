import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/**
 * Names under which a service reports, through its gRPC health service (grpc.health.v1), whether a
 * dependency of its own is usable — so that another service can act on it.
 */
export const DEPENDENCY_HEALTH = {
  /** The metadata service's Redis cache. While NOT_SERVING, the intake gateway refuses new uploads. */
  metadataCache: 'tessera.metadata.v1.MetadataService/cache',
} as const;

export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export function createHealthClient(address: string): Client {
  const Constructor = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
  return new Constructor(address, credentials.createInsecure());
}

/** grpc.health.v1.Health/Check of one name; rejects when the server cannot be asked in time. */
export function checkHealth(client: Client, name: string, timeoutMs: number): Promise<HealthStatus> {
  type Check = (
    request: { service: string },
    options: { deadline: Date },
    callback: (error: Error | null, response?: { status: HealthStatus }) => void,
  ) => void;
  const check = (client as unknown as { Check: Check }).Check.bind(client);
  return new Promise((resolve, reject) => {
    check({ service: name }, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) =>
      error ? reject(error) : resolve(response!.status),
    );
  });
}
