import { setTimeout as sleep } from 'node:timers/promises';
import { arrivedRuns } from './arrived-runs';

/** Yields each group at once, then waits before the next group: as a stream receives bursts. */
async function* inBursts<T>(...bursts: T[][]): AsyncIterable<T> {
  for (const burst of bursts) {
    await sleep(20);
    yield* burst;
  }
}

async function collect<T>(runs: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const run of runs) all.push(run);
  return all;
}

describe('arrivedRuns', () => {
  it('takes what has arrived into one run and never waits for more', async () => {
    const runs = await collect(arrivedRuns(inBursts([1, 2, 3], [4], [5, 6]), () => true));
    expect(runs).toEqual([[1, 2, 3], [4], [5, 6]]);
  });

  it('begins a new run at an item the rule refuses', async () => {
    const joins = (run: readonly number[], next: number) => next === run.at(-1)! + 1;
    const runs = await collect(arrivedRuns(inBursts([1, 2, 7, 8, 3]), joins));
    expect(runs).toEqual([[1, 2], [7, 8], [3]]);
  });

  it('hands over the run it holds before the stream’s failure', async () => {
    async function* failing(): AsyncIterable<number> {
      yield 1;
      yield 2;
      throw new Error('stream cut');
    }
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const run of arrivedRuns(failing(), () => true)) seen.push(run);
      })(),
    ).rejects.toThrow('stream cut');
    expect(seen).toEqual([[1, 2]]);
  });

  it('closes the items when its consumer stops early', async () => {
    let closed = false;
    async function* items(): AsyncIterable<number> {
      try {
        yield 1;
        await sleep(20);
        yield 2;
      } finally {
        closed = true;
      }
    }
    for await (const _run of arrivedRuns(items(), () => true)) break;
    await sleep(50);
    expect(closed).toBe(true);
  });

  it.each([
    [false, false],
    [true, true],
  ])('with opens() %s, looks for a next item (one turn of the event loop): %s', async (opens, waited) => {
    async function* items(): AsyncIterable<number> {
      yield 1;
      await new Promise(() => undefined); // nothing more arrives
    }
    let turned = false;
    setImmediate(() => (turned = true));
    for await (const _run of arrivedRuns(
      items(),
      () => true,
      () => opens,
    )) {
      expect(turned).toBe(waited);
      break;
    }
  });
});
