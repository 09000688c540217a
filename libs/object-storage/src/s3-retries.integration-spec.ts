import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createProxy, minioClientOptions, stackEndpoints, type Proxy } from '@tessera/testing';
import { createS3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';

/** Collects on demand, like the Prometheus exporter at each scrape. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('S3 retries (MinIO behind Toxiproxy cutting connections)', () => {
  const reader = new OnDemandReader();
  let proxy: Proxy;

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const { toxiproxy, minio } = stackEndpoints();
    proxy = await createProxy(toxiproxy.url, `s3_retries_${Date.now()}`, new URL(minio.endpoint).host);
  });
  afterAll(() => proxy?.remove());

  it('retries transient failures up to the attempts allowed and counts them in tessera_retries_total', async () => {
    const direct = new S3ObjectStore(createS3Client(minioClientOptions(2)), `s3-retries-${Date.now()}`);
    await direct.ensureBucket();
    const client = createS3Client({ ...minioClientOptions(5), endpoint: `http://127.0.0.1:${proxy.port}` });
    const store = new S3ObjectStore(client, direct.bucket);
    await proxy.limitData(4096); // a connection carries a few requests, then one is cut midway

    let stored = 0;
    for (let n = 0; n < 20; n++) {
      const body = Buffer.from(`object ${n}`);
      if (
        await store.putObject(`retried/${n}`, body, body.length).then(
          () => true,
          () => false,
        )
      )
        stored++;
    }
    expect(stored).toBe(20); // each cut request succeeds again on a new connection

    const { resourceMetrics } = await reader.collect();
    const retries = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'tessera.retries');
    const total = (retries?.dataPoints ?? []).reduce((sum, point) => sum + Number(point.value), 0);
    expect(total).toBeGreaterThan(0);
    expect(retries!.dataPoints.some((point) => point.attributes['operation'] === 'PutObject')).toBe(true);
    client.destroy();
  }, 60_000);
});
