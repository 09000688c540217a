import { inOrder } from './file-reader';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('inOrder', () => {
  it('yields in order with at most `parallelism` tasks started ahead of the consumer', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const tasks = Array.from({ length: 6 }, (_, n) => () => {
      started.push(n);
      return new Promise<number>((resolve) => finish.push(() => resolve(n)));
    });
    const results = inOrder(tasks, 3)[Symbol.asyncIterator]();
    const first = results.next();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[2]!();
    finish[1]!();
    await tick();
    finish[0]!();
    expect((await first).value).toBe(0);
    expect(started).toEqual([0, 1, 2, 3]); // one more only once a result was taken
    expect((await results.next()).value).toBe(1);
    expect((await results.next()).value).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('fails with the first failing task in order, without unhandled rejections from later ones', async () => {
    const tasks = [
      () => new Promise<number>((_, reject) => setTimeout(() => reject(new Error('first')), 20)),
      () => Promise.reject(new Error('second')),
    ];
    const collected: number[] = [];
    await expect(
      (async () => {
        for await (const value of inOrder(tasks, 2)) collected.push(value);
      })(),
    ).rejects.toThrow('first');
  });
});
