import type { JaegerTrace } from '@tessera/jaeger';
import { renderWaterfall } from './trace-waterfall';

const span = (
  spanID: string,
  parent: string | undefined,
  start: number,
  duration: number,
  name = spanID,
) => ({
  spanID,
  operationName: name,
  references: parent ? [{ refType: 'CHILD_OF', spanID: parent }] : [],
  startTime: 1_000_000 + start * 1000,
  duration: duration * 1000,
  processID: parent ? 'p2' : 'p1',
});

const trace: JaegerTrace = {
  traceID: 'abc',
  processes: { p1: { serviceName: 'intake' }, p2: { serviceName: 's3' } },
  spans: [
    span('get-2', 'read', 50, 50, 'GetObject'),
    span('read', undefined, 0, 100, 'grpc.tessera.download.v1.DownloadService/ReadFile'),
    span('get-1', 'read', 0, 50, 'GetObject'),
    span('get-3', 'read', 25, 50, 'GetObject'),
  ],
};

describe('renderWaterfall', () => {
  it('prints one line per span under its parent, with bars on one time axis', () => {
    const lines = renderWaterfall(trace, 82); // bars of 36 columns
    expect(lines[0]).toBe('trace abc: 4 spans, 100.0 ms');
    const rows = lines.slice(1);
    expect(rows.map((line) => line.slice(0, 32).trimEnd())).toEqual([
      'intake: DownloadService/ReadFile',
      '  s3: GetObject',
      '  s3: GetObject',
      '  s3: GetObject',
    ]);
    const bars = rows.map((line) => line.slice(line.indexOf('|') + 1, line.lastIndexOf('|')));
    const barWidth = bars[0]!.length;
    expect(bars[0]).toBe('█'.repeat(barWidth)); // the parent spans the whole trace
    const filled = (bar: string) => [bar.indexOf('█'), bar.lastIndexOf('█')];
    // children in start order: 0–50, 25–75, 50–100 ms, so the bars overlap like the reads did
    expect(filled(bars[1]!)).toEqual([0, barWidth / 2 - 1]);
    expect(filled(bars[2]!)).toEqual([barWidth / 4, (3 * barWidth) / 4 - 1]);
    expect(filled(bars[3]!)).toEqual([barWidth / 2, barWidth - 1]);
    expect(rows[1]).toMatch(/\|\s+50\.0 ms$/);
  });

  it('shows a span whose parent was not exported as a root', () => {
    const orphaned = { ...trace, spans: [span('lonely', 'missing', 0, 10)] };
    expect(renderWaterfall(orphaned, 80)[1]).toMatch(/^s3: lonely/);
  });
});
