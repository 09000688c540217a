import { chunksOf } from './body-chunks';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function* pieces(...sizes: number[]) {
  let value = 0;
  for (const size of sizes) yield Buffer.from(Array.from({ length: size }, () => value++ % 256));
}

describe('chunksOf', () => {
  it('cuts any piece sizes into full chunks and a shorter last one, numbered, their SHA-256 left to the repository service', async () => {
    const chunks = await collect(chunksOf(pieces(3, 10, 1, 0, 6), 'u1', 4));
    expect(chunks.map((chunk) => [Number(chunk.chunkNumber), chunk.data.length])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    const whole = Buffer.concat(chunks.map((chunk) => chunk.data));
    expect([...whole]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(chunks.every((chunk) => chunk.sha256 === '')).toBe(true);
    expect((await collect(chunksOf(pieces(5), 'u1', 4))).map((chunk) => chunk.data.length)).toEqual([4, 1]);
  });

  it('yields nothing for an empty body', async () => {
    expect(await collect(chunksOf(pieces(), 'u1', 4))).toEqual([]);
  });
});
