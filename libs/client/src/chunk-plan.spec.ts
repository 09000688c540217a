import { chunkCountOf, chunkSpan, chunksNotReceived, dealOverLanes, runOfChunks } from './chunk-plan';

describe('chunk plan', () => {
  it('covers a file with whole chunks, an empty file with none', () => {
    expect(chunkCountOf(0, 8)).toBe(0);
    expect(chunkCountOf(8, 8)).toBe(1);
    expect(chunkCountOf(9, 8)).toBe(2);
    expect(() => chunkCountOf(9, 0)).toThrow(/chunkBytes/);
    expect(chunkSpan(1, 8, 9)).toEqual({ offset: 8, length: 1 });
  });

  it('leaves out the chunks the server reports received', () => {
    const received = [
      { first: 0n, last: 2n },
      { first: 5n, last: 5n },
    ];
    expect(chunksNotReceived(8, received)).toEqual([3, 4, 6, 7]);
    expect(chunksNotReceived(3, [])).toEqual([0, 1, 2]);
  });

  it('deals chunks round-robin over the lanes, never making an empty lane', () => {
    expect(dealOverLanes([0, 1, 2, 3, 4], 2)).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
    expect(dealOverLanes([7], 4)).toEqual([[7]]);
    expect(dealOverLanes([], 4)).toEqual([]);
  });

  it('deals small chunks in runs, so each lane carries consecutive chunks together', () => {
    expect(dealOverLanes([0, 1, 2, 3, 4, 5, 6], 2, 3)).toEqual([
      [0, 1, 2, 6],
      [3, 4, 5],
    ]);
    expect(dealOverLanes([0, 1, 2], 4, 2)).toEqual([[0, 1], [2]]);
    expect(runOfChunks(64 * 1024)).toBe(128);
    expect(runOfChunks(8 * 1024 * 1024)).toBe(1);
    expect(runOfChunks(16 * 1024 * 1024)).toBe(1);
  });
});
