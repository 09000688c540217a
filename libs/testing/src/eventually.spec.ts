import { eventually } from './eventually';

describe('eventually', () => {
  it('returns once the assertion passes', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('rethrows the last failure when time is up', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('never');
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow('never');
  });
});
