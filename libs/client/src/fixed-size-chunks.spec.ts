import { fixedSizeChunks } from './fixed-size-chunks';

async function collect(pieces: number[], chunkBytes: number): Promise<number[][]> {
  let next = 0;
  const source = pieces.map((length) => Buffer.from(Array.from({ length }, () => next++ % 256)));
  const chunks: number[][] = [];
  for await (const chunk of fixedSizeChunks(source, chunkBytes)) chunks.push([...chunk]);
  return chunks;
}

describe('fixedSizeChunks', () => {
  it('joins small pieces and splits large ones into exact chunks, the last one shorter', async () => {
    const chunks = await collect([1, 2, 10, 0, 3], 4);
    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 4, 4, 4]);
    expect(chunks.flat()).toEqual(Array.from({ length: 16 }, (_, index) => index));
    expect((await collect([5], 4)).map((chunk) => chunk.length)).toEqual([4, 1]);
  });

  it('yields nothing for an empty source and refuses a chunk size that is not positive', async () => {
    expect(await collect([], 4)).toEqual([]);
    await expect(collect([1], 0)).rejects.toThrow(/chunkBytes must be a positive integer/);
  });
});
