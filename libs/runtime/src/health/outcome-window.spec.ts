import { OutcomeWindow } from './outcome-window';

describe('OutcomeWindow', () => {
  it('counts what is in the last windowMs, dropping older outcomes as new ones come', () => {
    const window = new OutcomeWindow(1_000);
    window.add({ at: 0, kind: 'error' });
    window.add({ at: 500, kind: 'slow' });
    window.add({ at: 900, kind: 'ok' });
    expect([window.size, window.failures, window.errors, window.failureSpanMs()]).toEqual([3, 2, 1, 500]);
    window.add({ at: 1_200, kind: 'ok' }); // the error at 0 falls out
    expect([window.size, window.failures, window.errors, window.failureSpanMs()]).toEqual([3, 1, 0, 0]);
  });

  it('keeps its counts right across many outcomes (its queues compact as they go)', () => {
    const window = new OutcomeWindow(1_000);
    for (let at = 0; at < 100_000; at++) window.add({ at, kind: at % 4 === 0 ? 'error' : 'ok' });
    expect([window.size, window.failures, window.errors]).toEqual([1_001, 250, 250]);
    expect(window.failureSpanMs()).toBe(996); // errors at 99,000 … 99,996
  });
});
