import type { JaegerSpan, JaegerTrace } from '@tessera/jaeger';
import { renderReport, summarize } from './bottleneck-report';

const ms = 1000;
let nextId = 0;
function span(
  operationName: string,
  startMs: number,
  durationMs: number,
  processID = 'intake',
  tags = {},
): JaegerSpan {
  return {
    spanID: String(nextId++),
    operationName,
    references: [],
    startTime: startMs * ms,
    duration: durationMs * ms,
    processID,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
}

function trace(spans: JaegerSpan[]): JaegerTrace {
  return {
    traceID: 'abc',
    spans,
    processes: { intake: { serviceName: 'intake-gateway' }, metadata: { serviceName: 'metadata-service' } },
  };
}

describe('bottleneck report', () => {
  it('shares the wall time by the union of metadata and transfer spans, overlaps counted once', () => {
    const summary = summarize([
      trace([
        span('DownloadService/ReadFile', 0, 100),
        span('MetadataService/GetNode', 0, 30, 'metadata'),
        span('get', 10, 10, 'metadata', { 'db.system': 'redis' }),
        span('S3.GetObject', 40, 50),
        span('S3.GetObject', 60, 30),
      ]),
    ]);
    expect(summary.share.metadata).toBeCloseTo(0.3);
    expect(summary.share.transfer).toBeCloseTo(0.5);
    expect(summary.bottleneck).toBe('data transfer');
    expect(summary.spans[0]).toMatchObject({ name: 'intake-gateway: DownloadService/ReadFile', count: 1 });
    expect(summary.spans.find((s) => s.name.endsWith('S3.GetObject'))).toMatchObject({
      count: 2,
      p50Ms: 30,
      p95Ms: 50,
    });
  });

  it('names metadata lookup the bottleneck when TiDB and the metadata service take longer than S3', () => {
    const summary = summarize([
      trace([
        span('CompleteUpload', 0, 100),
        span('INSERT', 0, 60, 'intake', { 'db.system': 'mysql' }),
        span('S3.PutObject', 70, 10),
      ]),
    ]);
    expect(summary.bottleneck).toBe('metadata lookup');
    const lines = renderReport('title', summary, summary, 2);
    expect(lines).toContain('bottleneck            metadata lookup → metadata lookup');
    expect(lines.filter((line) => line.startsWith('  intake-gateway'))).toHaveLength(4); // 2 per phase
  });
});
