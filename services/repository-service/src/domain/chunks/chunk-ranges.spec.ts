import { missingRanges, toRanges } from './chunk-ranges';

describe('chunk ranges', () => {
  it('compresses unordered, repeated chunk numbers into sorted ranges', () => {
    expect(toRanges([5, 0, 2, 1, 1, 7, 6])).toEqual([
      { first: 0, last: 2 },
      { first: 5, last: 7 },
    ]);
    expect(toRanges([])).toEqual([]);
  });

  it('reports the gaps below the highest received chunk, including a missing first chunk', () => {
    expect(missingRanges(toRanges([2, 3, 6, 9]))).toEqual([
      { first: 0, last: 1 },
      { first: 4, last: 5 },
      { first: 7, last: 8 },
    ]);
    expect(missingRanges(toRanges([0, 1, 2]))).toEqual([]);
  });

  it('handles 20,000 chunks with one missing quickly', () => {
    const numbers = Array.from({ length: 20_000 }, (_, i) => i).filter((i) => i !== 12_345);
    expect(missingRanges(toRanges(numbers))).toEqual([{ first: 12_345, last: 12_345 }]);
  });
});
