import { lintPrometheusExposition } from './prometheus-lint';

describe('lintPrometheusExposition', () => {
  it('passes names that follow the conventions', () => {
    const text = [
      '# HELP rpc_server_call_duration_seconds Duration of served calls',
      '# TYPE rpc_server_call_duration_seconds histogram',
      'rpc_server_call_duration_seconds_bucket{rpc_method="A",le="0.1"} 1',
      'rpc_server_call_duration_seconds_sum{rpc_method="A"} 0.05',
      'rpc_server_call_duration_seconds_count{rpc_method="A"} 1',
      '# HELP tessera_uploaded_bytes_total Bytes',
      '# TYPE tessera_uploaded_bytes_total counter',
      'tessera_uploaded_bytes_total 10',
      '# HELP tessera_chunk_workers Workers',
      '# TYPE tessera_chunk_workers gauge',
      'tessera_chunk_workers 8',
    ].join('\n');
    expect(lintPrometheusExposition(text)).toEqual([]);
  });

  it('names each broken rule, as in the names Tessera used before', () => {
    const text = [
      '# HELP tessera_bytes_uploaded_total Bytes',
      '# TYPE tessera_bytes_uploaded_total counter',
      'tessera_bytes_uploaded_total 10',
      '# HELP tessera_worker_count Workers',
      '# TYPE tessera_worker_count gauge',
      'tessera_worker_count 8',
      '# HELP http_server_duration Duration in ms',
      '# TYPE http_server_duration histogram',
      'http_server_duration_bucket{le="5"} 1',
      '# HELP tessera_outbox_lag_milliseconds Lag',
      '# TYPE tessera_outbox_lag_milliseconds gauge',
      'tessera_outbox_lag_milliseconds{Queue="a"} 3',
      '# TYPE tessera_requests counter',
      'tessera_requests 1',
    ].join('\n');
    expect(lintPrometheusExposition(text)).toEqual([
      'tessera_bytes_uploaded_total: bytes is not the last word',
      'tessera_worker_count: _count, _sum or _bucket belongs to histogram series only',
      'http_server_duration: a duration whose name does not end in _seconds',
      'tessera_outbox_lag_milliseconds: a unit other than the base units seconds and bytes',
      'tessera_outbox_lag_milliseconds: a duration whose name does not end in _seconds',
      'tessera_outbox_lag_milliseconds: label Queue is not snake_case',
      'tessera_requests: no HELP',
      'tessera_requests: a counter without _total',
    ]);
  });
});
