import { ErrorCode } from '@tessera/errors';
import { planReads, requestedRange } from './read-plan';

const MiB = 1024 * 1024;

describe('requestedRange', () => {
  it('defaults to the whole file and checks the bounds, naming the field', () => {
    expect(requestedRange(100, undefined, undefined)).toEqual({ offset: 0, length: 100 });
    expect(requestedRange(100, 99, undefined)).toEqual({ offset: 99, length: 1 });
    expect(requestedRange(100, 100, undefined)).toEqual({ offset: 100, length: 0 });
    expect(requestedRange(0, undefined, undefined)).toEqual({ offset: 0, length: 0 });
    expect(() => requestedRange(100, 101, undefined)).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidArgument,
        message: expect.stringContaining('offset'),
      }),
    );
    expect(() => requestedRange(100, 50, 51)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('length') }),
    );
  });
});

describe('planReads', () => {
  it('aligns reads to parts and caps their size', () => {
    const parts = [8 * MiB, 8 * MiB, 3];
    expect(planReads(parts, 16 * MiB + 3, { offset: 0, length: 16 * MiB + 3 }, 5 * MiB)).toEqual([
      { offset: 0, length: 5 * MiB },
      { offset: 5 * MiB, length: 3 * MiB },
      { offset: 8 * MiB, length: 5 * MiB },
      { offset: 13 * MiB, length: 3 * MiB },
      { offset: 16 * MiB, length: 3 },
    ]);
  });

  it('covers a range crossing a part boundary, and single bytes at either end', () => {
    const parts = [10, 10, 5];
    expect(planReads(parts, 25, { offset: 8, length: 5 }, 100)).toEqual([
      { offset: 8, length: 2 },
      { offset: 10, length: 3 },
    ]);
    expect(planReads(parts, 25, { offset: 0, length: 1 }, 100)).toEqual([{ offset: 0, length: 1 }]);
    expect(planReads(parts, 25, { offset: 24, length: 1 }, 100)).toEqual([{ offset: 24, length: 1 }]);
    expect(planReads(parts, 25, { offset: 25, length: 0 }, 100)).toEqual([]);
  });

  it('treats an object without part sizes as one part', () => {
    expect(planReads([], 7, { offset: 2, length: 5 }, 2)).toEqual([
      { offset: 2, length: 2 },
      { offset: 4, length: 2 },
      { offset: 6, length: 1 },
    ]);
  });
});
