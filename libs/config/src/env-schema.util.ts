import { z } from 'zod';

/** A TCP port; 0 asks the OS for a free one (tests). */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A whole number of milliseconds where 0 turns the limit off. */
export const optionalMs = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** A variable Tessera no longer reads: setting it fails the start, naming what replaced it. */
export const replacedBy = (replacement: string) =>
  z.undefined({ error: `no longer read: use ${replacement} (docs/configuration.md)` }).optional();

/** "true"/"false"/"1"/"0" (z.coerce.boolean would read "false" as true). */
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info');

/** host:port, as gRPC clients and Kafka brokers are addressed. */
export const hostPort = (fallback: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
    .default(fallback);

/** A comma-separated list of host:port, e.g. Kafka's bootstrap brokers; parsed into an array. */
export const hostPortList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port[,host:port...]')).min(1));

export const httpUrl = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);
