import { shortOperation, type JaegerSpan, type JaegerTrace } from '@tessera/jaeger';

interface Row {
  depth: number;
  label: string;
  span: JaegerSpan;
}

/** Spans depth first, children in start order; a span whose parent is missing becomes a root. */
function rowsOf(trace: JaegerTrace): Row[] {
  const ids = new Set(trace.spans.map((span) => span.spanID));
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of trace.spans) {
    const parent = span.references.find((ref) => ref.refType === 'CHILD_OF' && ids.has(ref.spanID))?.spanID;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: Row[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    const sorted = [...(children.get(parent) ?? [])].sort((a, b) => a.startTime - b.startTime);
    for (const span of sorted) {
      const service = trace.processes[span.processID]?.serviceName ?? '?';
      rows.push({ depth, label: `${service}: ${shortOperation(span.operationName)}`, span });
      visit(span.spanID, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function milliseconds(microseconds: number): string {
  return `${(microseconds / 1000).toFixed(1)} ms`.padStart(10);
}

/**
 * The trace as a waterfall: one line per span, indented under its parent, with a bar on a common
 * time axis — spans that ran side by side have bars that overlap.
 */
export function renderWaterfall(trace: JaegerTrace, columns = 120): string[] {
  if (trace.spans.length === 0) return [`trace ${trace.traceID}: no spans`];
  const start = Math.min(...trace.spans.map((span) => span.startTime));
  const end = Math.max(...trace.spans.map((span) => span.startTime + span.duration));
  const total = Math.max(end - start, 1);
  const labelWidth = Math.max(30, Math.min(60, Math.floor(columns * 0.4)));
  const barWidth = Math.max(10, columns - labelWidth - 14);
  const lines = [`trace ${trace.traceID}: ${trace.spans.length} spans, ${milliseconds(total).trim()}`];
  for (const { depth, label, span } of rowsOf(trace)) {
    const offset = Math.min(barWidth - 1, Math.floor(((span.startTime - start) / total) * barWidth));
    const length = Math.max(1, Math.min(barWidth - offset, Math.round((span.duration / total) * barWidth)));
    const bar = ' '.repeat(offset) + '█'.repeat(length) + ' '.repeat(barWidth - offset - length);
    lines.push(`${fit(`${'  '.repeat(depth)}${label}`, labelWidth)} |${bar}|${milliseconds(span.duration)}`);
  }
  return lines;
}
