import type { Transfer } from '@tessera/client';

/** What commands over the public API fall back on, read from the environment by main.ts. */
export interface ClientDefaults {
  /** The intake gateway, host:port. */
  address: string;
  /** Where `tessera upload` remembers uploads in progress. */
  stateDirectory: string;
}

/** Bad usage of the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** Parses an option that must be a positive number; undefined stays undefined. */
export function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} must be a positive number`);
  return number;
}

export const print = (line: string) => console.log(line);

const MiB = 1024 * 1024;

/** "41.2 MiB/s" */
export const rate = (bytes: number, seconds: number) =>
  `${(bytes / MiB / Math.max(seconds, 1e-3)).toFixed(1)} MiB/s`;

/** Parses an option that must be a whole number of at least 0; undefined stays undefined. */
export function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new UsageError(`--${name} must be a whole number of at least 0`);
  return number;
}

const TRANSFERS: readonly Transfer[] = ['auto', 'direct', 'streamed'];

/** `--transfer auto|direct|streamed`, or `--direct` for `direct`; the SDK's default when neither. */
export function transferOf(value: string | undefined, direct: boolean): Transfer | undefined {
  if (direct && value !== undefined && value !== 'direct')
    throw new UsageError(`--direct and --transfer ${value} contradict each other`);
  if (direct) return 'direct';
  if (value === undefined) return undefined;
  if (!TRANSFERS.includes(value as Transfer))
    throw new UsageError(`--transfer must be one of ${TRANSFERS.join(', ')}, got ${value}`);
  return value as Transfer;
}
