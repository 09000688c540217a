import { DEFAULT_POOL_SIZING, WorkerPoolSizer, type PoolUsage } from './worker-pool-sizer';

const policy = { ...DEFAULT_POOL_SIZING, minWorkers: 2, maxWorkers: 32 };
const usage = (workers: number, of: Partial<PoolUsage>): PoolUsage => ({
  elapsedMs: 1_000,
  workers,
  meanBusy: 0,
  meanQueued: 0,
  refused: 0,
  finished: 10,
  failed: 0,
  meanWriteMs: 50,
  ...of,
});

describe('WorkerPoolSizer', () => {
  it('grows at once to the demand with headroom when chunks waited, up to the maximum', () => {
    const sizer = new WorkerPoolSizer(policy);
    // S3 slowed down: the same arrivals keep all 4 workers busy and 6 chunks waiting.
    expect(sizer.decide(usage(4, { meanBusy: 4, meanQueued: 6, meanWriteMs: 400 }))).toMatchObject({
      change: 'grow',
      workers: 13, // ceil(10 × 1.25)
    });
    expect(sizer.decide(usage(13, { meanBusy: 13, meanQueued: 40 }))).toMatchObject({ workers: 32 });
    expect(sizer.decide(usage(32, { meanBusy: 32, meanQueued: 40 }))).toEqual({ change: 'none' });
  });

  it('grows when chunks were refused even if none waited on average', () => {
    const sizer = new WorkerPoolSizer(policy);
    expect(sizer.decide(usage(4, { meanBusy: 4, refused: 3 }))).toMatchObject({ change: 'grow', workers: 8 });
  });

  it('keeps its size while the demand uses at least half of it', () => {
    const sizer = new WorkerPoolSizer(policy);
    for (let i = 0; i < 10; i++)
      expect(sizer.decide(usage(8, { meanBusy: 3.5 }))).toEqual({ change: 'none' });
  });

  it('shrinks only after three low intervals in a row, by a quarter at most, down to the minimum', () => {
    const sizer = new WorkerPoolSizer(policy);
    const quiet = (workers: number) => usage(workers, { meanBusy: 0.5, meanWriteMs: 10 });
    expect(sizer.decide(quiet(16))).toEqual({ change: 'none' });
    expect(sizer.decide(quiet(16))).toEqual({ change: 'none' });
    expect(sizer.decide(quiet(16))).toMatchObject({ change: 'shrink', workers: 12 });
    // A busy interval between low ones starts the count again: no oscillation.
    expect(sizer.decide(quiet(12))).toEqual({ change: 'none' });
    expect(sizer.decide(usage(12, { meanBusy: 7 }))).toEqual({ change: 'none' });
    expect(sizer.decide(quiet(12))).toEqual({ change: 'none' });
    expect(sizer.decide(quiet(12))).toEqual({ change: 'none' });
    expect(sizer.decide(quiet(12))).toMatchObject({ change: 'shrink', workers: 9 });
    let workers = 9;
    for (let i = 0; i < 30; i++) {
      const decision = sizer.decide(quiet(workers));
      if (decision.change !== 'none') workers = decision.workers;
    }
    expect(workers).toBe(2);
  });

  it('halves when a fifth or more of the writes failed on the storage side, never below the minimum', () => {
    const sizer = new WorkerPoolSizer(policy);
    expect(sizer.decide(usage(16, { meanBusy: 16, meanQueued: 5, finished: 10, failed: 3 }))).toMatchObject({
      change: 'back-off',
      workers: 8,
    });
    expect(sizer.decide(usage(2, { finished: 10, failed: 5 }))).toEqual({ change: 'none' });
    // Two failures are not a pattern.
    expect(sizer.decide(usage(8, { meanBusy: 8, meanQueued: 2, finished: 4, failed: 2 }))).toMatchObject({
      change: 'grow',
    });
  });

  it('says what it measured', () => {
    const decision = new WorkerPoolSizer(policy).decide(
      usage(4, { meanBusy: 4, meanQueued: 2, meanWriteMs: 312 }),
    );
    expect(decision).toMatchObject({
      why: 'demand 6.0 (running 4.0, waiting 2.0, refused 0), writes 10 taking 312 ms on average, 0 failed',
    });
  });
});
