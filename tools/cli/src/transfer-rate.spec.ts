import { TransferRate } from './transfer-rate';

const MiB = 1024 * 1024;

describe('TransferRate', () => {
  let nowMs: number;
  let rate: TransferRate;
  const at = (ms: number, bytes: number) => {
    nowMs = ms;
    rate.record(bytes);
  };

  beforeEach(() => {
    nowMs = 0;
    rate = new TransferRate(() => nowMs, { windowMs: 5_000, minimumMs: 1_000 });
  });

  it('has no rate before any reading or before the readings span a second', () => {
    expect(rate.bytesPerSecond()).toBeUndefined();
    at(0, 16 * MiB);
    at(1, 32 * MiB); // a second range 1 ms later: 16 GiB/s if it counted
    at(999, 40 * MiB);
    expect(rate.bytesPerSecond()).toBeUndefined();
  });

  it('does not count what was done before the first reading (a first range, a resumed upload)', () => {
    at(0, 500 * MiB);
    at(1_000, 510 * MiB);
    at(2_000, 520 * MiB);
    expect(rate.bytesPerSecond()).toBe(10 * MiB);
  });

  it('is the speed over the last five seconds, so it follows a slowdown', () => {
    for (let second = 0; second <= 10; second++) at(second * 1000, second * 100 * MiB);
    expect(rate.bytesPerSecond()).toBe(100 * MiB);
    for (let second = 11; second <= 15; second++) at(second * 1000, 1000 * MiB + (second - 10) * 10 * MiB);
    expect(rate.bytesPerSecond()).toBe(10 * MiB);
  });

  it('keeps a short list however often it is told', () => {
    for (let ms = 0; ms <= 60_000; ms++) at(ms, ms * 1024);
    expect(rate.bytesPerSecond()).toBeCloseTo(1024 * 1000, 0);
    expect((rate as unknown as { readings: unknown[] }).readings.length).toBeLessThanOrEqual(52);
  });
});
