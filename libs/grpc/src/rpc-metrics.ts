import { metrics, type Histogram } from '@opentelemetry/api';

let duration: Histogram | undefined;

/** Seconds: from 1 ms to 2 minutes, for calls from a cache hit to a multi-GiB completion. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Records a served call's duration by method and gRPC status code
 * (the semantic convention `rpc.server.call.duration`, `rpc_server_call_duration_seconds` on /metrics): p50/p95/p99 per method come from its buckets.
 */
export function recordServedCall(rpc: string, code: number, startedAt: number): void {
  // Created on first use: the meter provider is installed at start-up, after this module loads.
  duration ??= metrics.getMeter('tessera.grpc').createHistogram('rpc.server.call.duration', {
    description: 'Duration of served gRPC calls, by method and status code',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  duration.record((performance.now() - startedAt) / 1000, {
    'rpc.system': 'grpc',
    'rpc.method': rpc,
    'rpc.grpc.status_code': code,
  });
}
