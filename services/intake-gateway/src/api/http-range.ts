import type { ByteRange } from '../domain/read-plan';

/** What a Range header asks of a file of `size` bytes (RFC 9110 §14): */
export type RangeRequest =
  /** no Range, or one the server ignores (another unit, several ranges, bad syntax): the whole file */
  | { kind: 'whole' }
  | { kind: 'range'; range: ByteRange }
  /** nothing of the file is in the range: 416 */
  | { kind: 'unsatisfiable' };

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/** Parses `bytes=a-b`, `bytes=a-` and `bytes=-n`. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  const match = header === undefined ? null : SINGLE.exec(header.trim());
  if (!match) return { kind: 'whole' };
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    const length = Math.min(suffix, size);
    return { kind: 'range', range: { offset: size - length, length } };
  }
  const offset = Number(first);
  if (last !== '' && Number(last) < offset) return { kind: 'whole' };
  if (offset >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'range', range: { offset, length: end - offset + 1 } };
}
