import { z } from 'zod';
import { loadConfig, type Environment } from '@tessera/config';
import { IntakeGatewayEnvSchema } from '../../../services/intake-gateway/src/config/intake-gateway.config';
import { MetadataServiceEnvSchema } from '../../../services/metadata-service/src/config/metadata-service.config';
import { RepositoryServiceEnvSchema } from '../../../services/repository-service/src/config/repository-service.config';
import type { Container } from './manifests';

/** Each service's config schema, the one it validates its environment against at boot. */
export const envSchemas: Record<string, z.ZodType> = {
  'intake-gateway': IntakeGatewayEnvSchema,
  'repository-service': RepositoryServiceEnvSchema,
  'metadata-service': MetadataServiceEnvSchema,
};

/** A plausible value for a variable the chart takes from a Secret (its value is not in the manifests). */
const secretPlaceholders: Record<string, string> = {
  REDIS_URL: 'redis://:secret@redis.example:6379',
};

/** The environment a container starts with; Secret references stand for a valid secret value. */
export function environmentOf(container: Container): Environment {
  return Object.fromEntries(
    (container.env ?? []).map((variable) => [
      variable.name,
      variable.valueFrom ? (secretPlaceholders[variable.name] ?? 'secret') : variable.value,
    ]),
  );
}

/** The variables a schema knows (its object shape, under any refinements). */
export function variablesOf(schema: z.ZodType): string[] {
  let inner: z.core.$ZodType = schema;
  while (!(inner instanceof z.ZodObject)) {
    const next = (inner as { _zod: { def: { in?: z.core.$ZodType; innerType?: z.core.$ZodType } } })._zod.def;
    const child = next.in ?? next.innerType;
    if (!child) throw new Error('not an object schema');
    inner = child;
  }
  return Object.keys(inner.shape);
}

const loopback = /127\.0\.0\.1|localhost/;

/**
 * The variables a service cannot run in a cluster without: those whose default only works on a
 * developer's machine (the local stack on 127.0.0.1). The chart must set each of them.
 */
export function clusterRequiredVariables(schema: z.ZodType): string[] {
  const defaults = loadConfig(schema, {}) as Record<string, unknown>;
  return Object.entries(defaults)
    .filter(([, value]) => loopback.test(String(value)))
    .map(([name]) => name);
}

export function loopbackSettings(config: Record<string, unknown>): string[] {
  return Object.entries(config)
    .filter(([, value]) => loopback.test(String(value)))
    .map(([name, value]) => `${name}=${String(value)}`);
}
