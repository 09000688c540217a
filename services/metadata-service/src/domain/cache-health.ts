import type { HealthVerdict } from '@tessera/runtime';

/** The cache's health as the intake gateway is told it: "catching-up" beside the judge's rules. */
export interface CacheHealthAnswer {
  serving: boolean;
  /** While not serving: errors, slow or catching-up. */
  rule: string;
  detail: string;
}

/**
 * Whether the cache (Redis) is usable: judged up by its outcomes, and caught up — the entries that
 * could not be written while it was down are written before new uploads are admitted again.
 */
export class CacheHealth {
  private reported: boolean;

  constructor(
    private readonly verdict: () => HealthVerdict,
    serving: boolean,
  ) {
    this.reported = serving;
  }

  /** What the probe last found: judged up and caught up. */
  report(serving: boolean): void {
    this.reported = serving;
  }

  answer(): CacheHealthAnswer {
    if (this.reported) return { serving: true, rule: '', detail: 'serving' };
    const verdict = this.verdict();
    if (!verdict.serving) return { serving: false, rule: verdict.rule ?? 'errors', detail: verdict.detail };
    return {
      serving: false,
      rule: 'catching-up',
      detail: 'redis answers again; the cache entries missed meanwhile are being written',
    };
  }
}
