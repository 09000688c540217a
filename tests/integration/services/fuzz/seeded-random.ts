/** The seed of a fuzz run: TESSERA_FUZZ_SEED when set (to repeat a run), otherwise a fresh one. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['TESSERA_FUZZ_SEED'];
  if (given === undefined || given === '') return Date.now() % 2 ** 32;
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`TESSERA_FUZZ_SEED must be an integer in [0, 2^32), got "${given}"`);
  }
  return seed;
}

/**
 * A deterministic pseudo-random generator (mulberry32): the same seed gives the same sequence, so
 * a failing fuzz run can be repeated exactly.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A uint64 spread over every magnitude (small, 32-bit, 53-bit, full 64-bit). */
  uint64(): bigint {
    const bits = this.pick([8, 16, 32, 53, 63, 64]);
    let value = 0n;
    for (let bit = 0; bit < bits; bit += 16) value = (value << 16n) | BigInt(this.int(0, 0xffff));
    return value & ((1n << BigInt(bits)) - 1n);
  }

  /** A string of `length` code points drawn from `alphabet`. */
  string(length: number, alphabet: readonly string[]): string {
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick(alphabet);
    return out;
  }
}
