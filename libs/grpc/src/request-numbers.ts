import { TesseraError } from '@tessera/errors';

/** An optional uint64/int64 request field as a JS number, refusing values that would lose precision. */
export function optionalNumber(field: string, value: bigint | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER))
    throw TesseraError.invalidArgument(field, 'is out of range');
  return Number(value);
}
