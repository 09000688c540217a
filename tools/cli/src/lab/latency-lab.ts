import { randomBytes } from 'node:crypto';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import { createGrpcClient } from '@tessera/grpc';
import { createProxy, stackEndpoints, startLocalUploadStack } from '@tessera/testing';
import type { JaegerTrace } from '../trace-waterfall';
import { renderReport, summarize, type PhaseSummary } from './bottleneck-report';
import { tracedDownload, tracedUpload } from './lab-client';

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

/** Fetches a trace once Jaeger holds all of it: S3 spans present and the count stable for a second. */
async function completeTrace(jaegerUrl: string, traceId: string, timeoutMs = 60_000): Promise<JaegerTrace> {
  const deadline = Date.now() + timeoutMs;
  let previous = -1;
  while (Date.now() < deadline) {
    const response = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
    const trace = response.ok ? ((await response.json()) as { data?: JaegerTrace[] }).data?.[0] : undefined;
    const count = trace?.spans.length ?? 0;
    if (trace && count === previous && trace.spans.some((span) => span.operationName.startsWith('S3.'))) {
      return trace;
    }
    previous = count;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  throw new Error(`Jaeger did not receive trace ${traceId} within ${timeoutMs} ms`);
}

/** Uploads and downloads `rounds` files, each in its own trace; returns the trace ids. */
async function runPhase(
  clients: { uploads: ReturnType<typeof createGrpcClient>; downloads: ReturnType<typeof createGrpcClient> },
  options: LatencyLabOptions,
  label: string,
): Promise<string[]> {
  const traceIds: string[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const data = randomBytes(options.fileBytes);
    const upload = await tracedUpload(clients.uploads, data, options.chunkBytes, `lab-${label}-${round}.bin`);
    const download = await tracedDownload(clients.downloads, upload.nodeId);
    if (download.bytes !== data.length)
      throw new Error(`downloaded ${download.bytes} of ${data.length} bytes`);
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
    const clients = {
      uploads: createGrpcClient(uploadV1.UploadService, stack.intakeAddress),
      downloads: createGrpcClient(downloadV1.DownloadService, stack.intakeAddress),
    };
    try {
      progress(`before: ${options.rounds} uploads and downloads of ${options.fileBytes} bytes`);
      const before = await runPhase(clients, options, 'before');
      progress(
        `injecting ${options.s3LatencyMs} ms of S3 latency${options.errorRate ? `, ${options.errorRate * 100} % of S3 connections reset` : ''}`,
      );
      await proxy.addLatency(options.s3LatencyMs);
      if (options.errorRate > 0) await proxy.addResets(options.errorRate);
      const after = await runPhase(clients, options, 'after');
      progress('reading the traces from Jaeger');
      const fetchAll = (ids: string[]) => Promise.all(ids.map((id) => completeTrace(options.jaegerUrl, id)));
      return { options, before: summarize(await fetchAll(before)), after: summarize(await fetchAll(after)) };
    } finally {
      clients.uploads.close();
      clients.downloads.close();
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
