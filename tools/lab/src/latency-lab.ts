import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TesseraClient } from '@tessera/client';
import { ApicurioRegistry, readProtoFiles, registerContracts } from '@tessera/schema-registry';
import { settledTrace, type JaegerTrace } from '@tessera/jaeger';
import { createProxy, REPO_ROOT, stackEndpoints, startLocalUploadStack } from '@tessera/testing';
import { renderReport, summarize, type PhaseSummary } from './bottleneck-report';

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

/** One phase's traces, summarized per flow: an upload and a read cross different services. */
export interface PhaseReport {
  upload: PhaseSummary;
  download: PhaseSummary;
}

export interface LatencyLabReport {
  options: LatencyLabOptions;
  before: PhaseReport;
  after: PhaseReport;
}

interface PhaseTraces {
  uploads: string[];
  downloads: string[];
}

/**
 * A trace once Jaeger holds all of it: its S3 spans and the gateway's span of the operation's last
 * call present (each service exports on its own schedule), and the span count stable.
 */
async function completeTrace(jaegerUrl: string, traceId: string, lastCall: string): Promise<JaegerTrace> {
  const ready = (trace: JaegerTrace) =>
    trace.spans.some((span) => span.operationName.startsWith('S3.')) &&
    trace.spans.some((span) => span.operationName.endsWith(lastCall));
  const trace = await settledTrace(jaegerUrl, traceId, {
    waitMs: 60_000,
    ready,
    pollMs: 1500,
    quietMs: 1500,
  });
  if (!trace || !ready(trace)) throw new Error(`Jaeger did not receive all of trace ${traceId} within 60 s`);
  return trace;
}

/** Uploads and downloads `rounds` files, each in its own trace; returns the trace ids. */
async function runPhase(
  client: TesseraClient,
  options: LatencyLabOptions,
  label: string,
): Promise<PhaseTraces> {
  const traces: PhaseTraces = { uploads: [], downloads: [] };
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
    traces.uploads.push(upload.traceId);
    traces.downloads.push(download.traceId);
  }
  return traces;
}

/**
 * `tessera-lab latency`: runs the three services with their S3 traffic through a Toxiproxy proxy
 * of MinIO, uploads and downloads files (each in its own trace), injects S3 latency (and an
 * optional error rate), does the same again, and reports from the traces in Jaeger where the time
 * went before and after.
 */
export async function runLatencyLab(
  options: LatencyLabOptions,
  progress: (line: string) => void,
): Promise<LatencyLabReport> {
  const { toxiproxy, minio, jaeger, apicurio } = stackEndpoints();
  const run = `lab_${Date.now()}`;
  // As `make schemas` before a deploy: the outbox relay looks the event schemas up in the registry.
  const schemaGroup = 'tessera-local';
  await registerContracts(
    new ApicurioRegistry(apicurio.url),
    schemaGroup,
    readProtoFiles(join(REPO_ROOT, 'proto')),
  );
  const proxy = await createProxy(toxiproxy.url, run, new URL(minio.endpoint).host);
  try {
    const through = { S3_ENDPOINT: `http://127.0.0.1:${proxy.port}` };
    const traced = { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    progress(`starting the services with S3 behind Toxiproxy (127.0.0.1:${proxy.port} → ${minio.endpoint})`);
    const stack = await startLocalUploadStack(run, {
      schemaGroup,
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
      const summarizeFlow = async (ids: string[], lastCall: string) =>
        summarize(await Promise.all(ids.map((id) => completeTrace(options.jaegerUrl, id, lastCall))));
      const summarizePhase = async (phase: PhaseTraces) => ({
        upload: await summarizeFlow(phase.uploads, 'UploadService/CompleteUpload'),
        download: await summarizeFlow(phase.downloads, 'DownloadService/ReadFile'),
      });
      return { options, before: await summarizePhase(before), after: await summarizePhase(after) };
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
  return [
    title,
    '',
    ...renderReport('Uploads', report.before.upload, report.after.upload),
    '',
    ...renderReport('Downloads', report.before.download, report.after.download),
  ];
}
