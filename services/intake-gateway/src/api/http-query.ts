import { TesseraError } from '@tessera/errors';

/**
 * A query parameter as the HTTP API takes it: plain text, at most once. Express hands a repeated
 * parameter over as an array, which would otherwise end up stored as "a,b".
 */
export function queryText(field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw TesseraError.invalidArgument(field, 'must be given once');
}
