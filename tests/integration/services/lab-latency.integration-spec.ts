import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackEndpoints } from '@tessera/testing';
import { REPO_ROOT } from './service-process';

interface Share {
  share: { metadata: number; transfer: number };
  bottleneck: string;
  traces: number;
  spans: { name: string; count: number; p50Ms: number; p95Ms: number }[];
}
type Phase = { upload: Share; download: Share };

describe('tessera-lab latency (services with S3 behind Toxiproxy, report from Jaeger)', () => {
  it('runs end to end and reports the injected S3 latency moving the time into data transfer', async () => {
    const { stdout } = await promisify(execFile)(
      'node',
      [
        join(REPO_ROOT, 'tools/lab/bin/tessera-lab.js'),
        ...['latency', '--s3', '150', '--rounds', '3', '--json'],
        ...['--jaeger', stackEndpoints().jaeger.queryUrl],
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as { before: Phase; after: Phase };
    for (const flow of ['upload', 'download'] as const) {
      const before = report.before[flow];
      const after = report.after[flow];
      expect(before.traces).toBe(3);
      expect(after.traces).toBe(3);
      // Every S3 call waits 150 ms more: the transfer's share grows and it is the bottleneck.
      expect(after.share.transfer).toBeGreaterThan(before.share.transfer);
      expect(after.share.transfer).toBeGreaterThan(0.5);
      expect(after.bottleneck).toBe('data transfer');
      const s3After = after.spans.filter((span) => span.name.includes('S3.'));
      expect(s3After.length).toBeGreaterThan(0);
      expect(Math.min(...s3After.map((span) => span.p50Ms))).toBeGreaterThanOrEqual(150);
      expect(after.spans.every((span) => span.p95Ms >= span.p50Ms)).toBe(true);
    }
  }, 180_000);
});
