import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const dashboard = JSON.parse(
  readFileSync(join(root, 'charts/tessera/dashboards/tessera-overview.json'), 'utf8'),
) as {
  uid: string;
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
};
const documented = readFileSync(join(root, 'docs/observability.md'), 'utf8');
const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
const metricsQueried = [
  ...new Set(exprs.flatMap((expr) => expr.match(/\b(?:tessera|rpc_server|db_client)_[a-z0-9_]+/g) ?? [])),
].map((name) => name.replace(/_bucket$/, ''));

describe('the Grafana dashboard shipped with the Helm chart', () => {
  it('queries only metrics the services document on /metrics', () => {
    expect(metricsQueried.length).toBeGreaterThan(10);
    const undocumented = metricsQueried.filter((name) => !documented.includes(name));
    expect(undocumented).toEqual([]);
  });

  it('covers the issue’s metrics: chunk counters, pool gauges, throttling, retries, latency histograms, cache, outbox', () => {
    for (const name of [
      'tessera_chunks_uploaded_total',
      'tessera_uploaded_bytes_total',
      'tessera_chunk_upload_failures_total',
      'tessera_retries_total',
      'tessera_task_queue_depth',
      'tessera_inflight_chunks',
      'tessera_throttled_requests_total',
      'tessera_chunk_workers',
      'tessera_chunk_workers_busy',
      'rpc_server_call_duration_seconds',
      'tessera_s3_request_duration_seconds',
      'db_client_operation_duration_seconds',
      'tessera_cache_lookups_total',
      'tessera_outbox_lag_seconds',
    ]) {
      expect(metricsQueried).toContain(name);
    }
  });

  it('computes p50/p95/p99 from histogram buckets and uses the datasource variable everywhere', () => {
    const quantiles = exprs.filter((expr) => expr.startsWith('histogram_quantile('));
    expect(quantiles.length).toBe(9);
    expect(quantiles.every((expr) => /_bucket\{/.test(expr) && /sum by \(le, /.test(expr))).toBe(true);
    const raw = JSON.stringify(dashboard.panels);
    expect(raw).not.toMatch(/"uid":"(?!\$\{datasource\})/);
  });

  it('is rendered into a ConfigMap by the chart', () => {
    const template = readFileSync(join(root, 'charts/tessera/templates/grafana-dashboard.yaml'), 'utf8');
    expect(template).toContain('.Files.Get "dashboards/tessera-overview.json"');
    expect(dashboard.uid).toBe('tessera-overview');
  });
});
