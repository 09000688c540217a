import { shortOperation, type JaegerSpan, type JaegerTrace } from '@tessera/jaeger';

/** Where a span's time goes, for the bottleneck question of the lab. */
export type Category = 'metadata' | 'transfer' | 'other';

const tagOf = (span: JaegerSpan, key: string) => span.tags?.find((tag) => tag.key === key)?.value;

/** S3 calls move data; TiDB, Redis and the metadata service's own work look metadata up. */
export function categoryOf(trace: JaegerTrace, span: JaegerSpan): Category {
  if (span.operationName.startsWith('S3.')) return 'transfer';
  const db = tagOf(span, 'db.system') ?? tagOf(span, 'db.system.name');
  if (db === 'mysql' || db === 'redis') return 'metadata';
  if (trace.processes[span.processID]?.serviceName === 'metadata-service') return 'metadata';
  return 'other';
}

/** Microseconds covered by the union of the intervals. */
function covered(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [from, to] of sorted.slice(1)) {
    if (from > end) {
      total += end - start;
      [start, end] = [from, to];
    } else end = Math.max(end, to);
  }
  return total + (end - start);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface SpanStats {
  name: string;
  category: Category;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface PhaseSummary {
  traces: number;
  /** Share of the traces' wall time during which a span of the category was running. */
  share: { metadata: number; transfer: number };
  bottleneck: 'metadata lookup' | 'data transfer';
  /** Every span name, slowest p95 first. */
  spans: SpanStats[];
}

/** What the traces of one phase of the lab say about where the time went. */
export function summarize(traces: JaegerTrace[]): PhaseSummary {
  let wall = 0;
  const time = { metadata: 0, transfer: 0 };
  const durations = new Map<string, { category: Category; values: number[] }>();
  for (const trace of traces) {
    const start = Math.min(...trace.spans.map((span) => span.startTime));
    const end = Math.max(...trace.spans.map((span) => span.startTime + span.duration));
    wall += end - start;
    for (const category of ['metadata', 'transfer'] as const) {
      const spans = trace.spans.filter((span) => categoryOf(trace, span) === category);
      time[category] += covered(spans.map((span) => [span.startTime, span.startTime + span.duration]));
    }
    for (const span of trace.spans) {
      const name = `${trace.processes[span.processID]?.serviceName ?? '?'}: ${shortOperation(span.operationName)}`;
      const entry = durations.get(name) ?? { category: categoryOf(trace, span), values: [] };
      entry.values.push(span.duration / 1000);
      durations.set(name, entry);
    }
  }
  const share = { metadata: wall ? time.metadata / wall : 0, transfer: wall ? time.transfer / wall : 0 };
  const spans = [...durations].map(([name, { category, values }]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      name,
      category,
      count: sorted.length,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
    };
  });
  return {
    traces: traces.length,
    share,
    bottleneck: share.transfer > share.metadata ? 'data transfer' : 'metadata lookup',
    spans: spans.sort((a, b) => b.p95Ms - a.p95Ms),
  };
}

const percent = (value: number) => `${(value * 100).toFixed(0)} %`.padStart(6);

/** The before/after report as lines for a terminal, with the `top` slowest spans of each phase. */
export function renderReport(title: string, before: PhaseSummary, after: PhaseSummary, top = 10): string[] {
  const lines = [
    title,
    '',
    `                       before   after`,
    `metadata lookup       ${percent(before.share.metadata)}  ${percent(after.share.metadata)}   of the traces' wall time`,
    `data transfer         ${percent(before.share.transfer)}  ${percent(after.share.transfer)}`,
    `bottleneck            ${before.bottleneck} → ${after.bottleneck}`,
  ];
  for (const [label, phase] of [
    ['before', before],
    ['after', after],
  ] as const) {
    lines.push('', `slowest spans ${label} (${phase.traces} traces)           count    p50 ms    p95 ms`);
    for (const span of phase.spans.slice(0, top)) {
      lines.push(
        `  ${span.name.slice(0, 44).padEnd(44)} ${String(span.count).padStart(5)} ${span.p50Ms.toFixed(1).padStart(9)} ${span.p95Ms.toFixed(1).padStart(9)}`,
      );
    }
  }
  return lines;
}
