import { randomBytes } from 'node:crypto';
import { TesseraClient } from '@tessera/client';
import { createProxy, stackEndpoints, startLocalUploadStack } from '@tessera/testing';
import type { JaegerTrace } from '../trace-waterfall';
import { renderReport, summarize, type PhaseSummary } from './bottleneck-report';
import { settledTrace } from '../jaeger-traces';

export interface LatencyLabOptions {
  /** Latency Toxiproxy adds to every S3 connection, in ms. */
  s3LatencyMs: number;
  /** Share (0–1) of S3 connections Toxiproxy resets, for an error rate; 0 for none. */
  errorRate: number;
  fileBytes: number;
  chunkBytes: number;
  /** Uploads and downloads per phase. */
  rounds: number;
  jaegerUrl: string;
}

export interface LatencyLabReport {
  options: LatencyLabOptions;
  before: PhaseSummary;
  after: PhaseSummary;
}

/** A trace once Jaeger holds all of it: its S3 spans present and the span count stable. */
async function completeTrace(jaegerUrl: string, traceId: string): Promise<JaegerTrace> {
  const hasS3Spans = (trace: JaegerTrace) => trace.spans.some((span) => span.operationName.startsWith('S3.'));
  const trace = await settledTrace(jaegerUrl, traceId, { waitMs: 60_000, ready: hasS3Spans, pollMs: 1500 });
  if (!trace || !hasS3Spans(trace)) throw new Error(`Jaeger did not receive trace ${traceId} within 60 s`);
  return trace;
}

/** Uploads and downloads `rounds` files, each in its own trace; returns the trace ids. */
async function runPhase(client: TesseraClient, options: LatencyLabOptions, label: string): Promise<string[]> {
  const traceIds: string[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const data = randomBytes(options.fileBytes);
    const upload = await client.upload([data], {
      name: `lab-${label}-${round}.bin`,
      driveId: 'lab',
      chunkBytes: options.chunkBytes,
    });
    const download = await client.download(upload.node.nodeId);
    if (download.sha256 !== upload.sha256)
      throw new Error(`node ${upload.node.nodeId} read back differently`);
    traceIds.push(upload.traceId, download.traceId);
  }
  return traceIds;
}

/**
 * `tessera lab latency`: runs the three services with their S3 traffic through a Toxiproxy proxy
 * of MinIO, uploads and downloads files (each in its own trace), injects S3 latency (and an
 * optional error rate), does the same again, and reports from the traces in Jaeger where the time
 * went before and after.
 */
export async function runLatencyLab(
  options: LatencyLabOptions,
  progress: (line: string) => void,
): Promise<LatencyLabReport> {
  const { toxiproxy, minio, jaeger } = stackEndpoints();
  const run = `lab_${Date.now()}`;
  const proxy = await createProxy(toxiproxy.url, run, new URL(minio.endpoint).host);
  try {
    const through = { S3_ENDPOINT: `http://127.0.0.1:${proxy.port}` };
    const traced = { TRACING_ENABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    progress(`starting the services with S3 behind Toxiproxy (127.0.0.1:${proxy.port} → ${minio.endpoint})`);
    const stack = await startLocalUploadStack(run, {
      repositoryEnv: { ...traced, ...through },
      intakeEnv: { ...traced, ...through },
      metadataEnv: traced,
    });
    const client = new TesseraClient(stack.intakeAddress);
    try {
      progress(`before: ${options.rounds} uploads and downloads of ${options.fileBytes} bytes`);
      const before = await runPhase(client, options, 'before');
      progress(
        `injecting ${options.s3LatencyMs} ms of S3 latency${options.errorRate ? `, ${options.errorRate * 100} % of S3 connections reset` : ''}`,
      );
      await proxy.addLatency(options.s3LatencyMs);
      if (options.errorRate > 0) await proxy.addResets(options.errorRate);
      const after = await runPhase(client, options, 'after');
      progress('reading the traces from Jaeger');
      const fetchAll = (ids: string[]) => Promise.all(ids.map((id) => completeTrace(options.jaegerUrl, id)));
      return { options, before: summarize(await fetchAll(before)), after: summarize(await fetchAll(after)) };
    } finally {
      client.close();
      await stack.stop();
    }
  } finally {
    await proxy.remove();
  }
}

export function latencyLabLines(report: LatencyLabReport): string[] {
  const { options } = report;
  const title =
    `S3 latency +${options.s3LatencyMs} ms` +
    (options.errorRate ? `, ${options.errorRate * 100} % resets` : '') +
    `: ${options.rounds} uploads and downloads of ${options.fileBytes} bytes per phase`;
  return renderReport(title, report.before, report.after);
}
