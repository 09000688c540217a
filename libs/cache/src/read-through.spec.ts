import { ErrorCode, TesseraError } from '@tessera/errors';
import type { KeyValueCache } from './key-value-cache.port';
import { readThrough, type ReadThroughOptions } from './read-through';
import { SingleFlight } from './single-flight';

class MapCache implements KeyValueCache<string> {
  readonly entries = new Map<string, string>();
  async get(key: string) {
    return this.entries.get(key);
  }
  async set(key: string, value: string) {
    this.entries.set(key, value);
  }
  async delete(key: string) {
    this.entries.delete(key);
  }
}

class DownCache implements KeyValueCache<string> {
  private fail(): never {
    throw new TesseraError(ErrorCode.Unavailable, 'cache unavailable');
  }
  get = async () => this.fail();
  set = async () => this.fail();
  delete = async () => this.fail();
}

function options(cache: KeyValueCache<string>, errors: string[] = []): ReadThroughOptions<string> {
  return {
    cache,
    singleFlight: new SingleFlight(),
    ttlSeconds: 60,
    onCacheError: (_e, operation) => errors.push(operation),
  };
}

describe('readThrough', () => {
  it('misses, loads and fills the cache, then hits', async () => {
    const cache = new MapCache();
    const load = jest.fn(async () => 'node-1');
    const settings = options(cache);
    expect(await readThrough('n1', load, settings)).toEqual({ value: 'node-1', cacheHit: false });
    expect(await readThrough('n1', load, settings)).toEqual({ value: 'node-1', cacheHit: true });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('loads once for many concurrent misses of one key', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = jest.fn(async () => (await gate, 'value'));
    const settings = options(new MapCache());
    const reads = Array.from({ length: 20 }, () => readThrough('hot', load, settings));
    release();
    expect((await Promise.all(reads)).every((read) => read.value === 'value')).toBe(true);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves from the loader when the cache is down, reporting each cache failure', async () => {
    const errors: string[] = [];
    expect(await readThrough('n1', async () => 'from-db', options(new DownCache(), errors))).toEqual({
      value: 'from-db',
      cacheHit: false,
    });
    expect(errors).toEqual(['get', 'set']);
  });

  it('does not cache a missing value, and passes loader errors on', async () => {
    const cache = new MapCache();
    expect(await readThrough('gone', async () => undefined, options(cache))).toEqual({
      value: undefined,
      cacheHit: false,
    });
    expect(cache.entries.size).toBe(0);
    await expect(
      readThrough('x', () => Promise.reject(new Error('db down')), options(cache)),
    ).rejects.toThrow('db down');
  });
});

describe('SingleFlight', () => {
  it('forgets a key once its load settled, also after a failure', async () => {
    const flight = new SingleFlight<number>();
    await expect(flight.run('k', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(flight.size).toBe(0);
    expect(await flight.run('k', async () => 2)).toBe(2);
  });
});
