import { planRanges } from './range-plan';

const MiB = 1024 * 1024;

describe('planRanges', () => {
  it('joins whole parts up to the range size and cuts on their boundaries', () => {
    const parts = [8 * MiB, 8 * MiB, 8 * MiB];
    expect(planRanges(parts, 24 * MiB, { offset: 0, length: 24 * MiB }, 16 * MiB)).toEqual([
      { offset: 0, length: 16 * MiB },
      { offset: 16 * MiB, length: 8 * MiB },
    ]);
    expect(planRanges([5, 5, 5, 2], 17, { offset: 0, length: 17 }, 12)).toEqual([
      { offset: 0, length: 10 },
      { offset: 10, length: 7 },
    ]);
  });

  it('splits a part larger than the range size without crossing into the next part', () => {
    expect(planRanges([10, 10], 20, { offset: 0, length: 20 }, 4)).toEqual([
      { offset: 0, length: 4 },
      { offset: 4, length: 4 },
      { offset: 8, length: 2 },
      { offset: 10, length: 4 },
      { offset: 14, length: 4 },
      { offset: 18, length: 2 },
    ]);
  });

  it('plans only the asked range, reaching the part boundaries inside it', () => {
    expect(planRanges([10, 10, 10], 30, { offset: 7, length: 20 }, 15)).toEqual([
      { offset: 7, length: 13 },
      { offset: 20, length: 7 },
    ]);
  });

  it('treats an object without part sizes as one part; an empty range has no reads', () => {
    expect(planRanges([], 10, { offset: 0, length: 10 }, 4)).toEqual([
      { offset: 0, length: 4 },
      { offset: 4, length: 4 },
      { offset: 8, length: 2 },
    ]);
    expect(planRanges([], 0, { offset: 0, length: 0 }, 4)).toEqual([]);
    expect(() => planRanges([], 10, { offset: 0, length: 10 }, 0)).toThrow(/rangeBytes/);
  });
});
