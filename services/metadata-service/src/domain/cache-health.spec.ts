import type { HealthVerdict } from '@tessera/runtime';
import { CacheHealth } from './cache-health';

describe('CacheHealth', () => {
  let verdict: HealthVerdict = { serving: true, detail: 'serving' };
  const health = new CacheHealth(() => verdict, true);

  it('answers serving while the probe found it so', () => {
    expect(health.answer()).toEqual({ serving: true, rule: '', detail: 'serving' });
  });

  it("answers the judge's rule and detail while Redis is judged down", () => {
    verdict = { serving: false, rule: 'slow', detail: '5 of 5 redis operations … timed out' };
    health.report(false);
    expect(health.answer()).toEqual({ serving: false, rule: 'slow', detail: verdict.detail });
  });

  it('answers catching-up while Redis is back but the missed entries are not yet written', () => {
    verdict = { serving: true, detail: 'serving' };
    expect(health.answer()).toMatchObject({ serving: false, rule: 'catching-up' });
    health.report(true);
    expect(health.answer().serving).toBe(true);
  });
});
