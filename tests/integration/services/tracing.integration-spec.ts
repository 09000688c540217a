import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client, Metadata } from '@grpc/grpc-js';
import { newTrace } from '@tessera/client';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import { callClientStream, callServerStream, callUnary, createGrpcClient } from '@tessera/grpc';
import {
  eventually,
  lintPrometheusExposition,
  metricSum,
  metricValue,
  stackEndpoints,
} from '@tessera/testing';
import { Redis } from 'ioredis';
import { REPO_ROOT, startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  startTime: number;
  duration: number;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
type JaegerTrace = { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> };

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const consumed = (span: JaegerSpan, type: string) =>
  tag(span, 'span.kind') === 'consumer' && tag(span, 'tessera.event.type') === `tessera.events.v1.${type}`;
const parentOf = (span: JaegerSpan) => span.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;

describe('tracing: a 64 MiB upload and download in Jaeger', () => {
  const { jaeger, redis } = stackEndpoints();
  let stack: UploadStack;
  let uploads: Client;
  let downloads: Client;
  const file = randomBytes(64 * MiB);

  beforeAll(async () => {
    const traced = { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    stack = await startUploadStack('tracing', {
      repositoryEnv: traced,
      metadataEnv: traced,
      intakeEnv: traced,
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
    await eventually(
      async () => {
        if (!stack.metadataLogs.some((line) => line['message'] === 'lifecycle consumer joined its group'))
          throw new Error('the metadata service has not joined its consumer group yet');
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  afterAll(async () => {
    uploads.close();
    downloads.close();
    await stack.stop();
  });

  async function download(nodeId: string, metadata: Metadata): Promise<number> {
    let bytes = 0;
    for await (const message of callServerStream(
      downloads,
      downloadV1.DownloadService.method.readFile,
      { nodeId },
      { metadata },
    )) {
      bytes += message.data.length;
    }
    return bytes;
  }

  async function traceWith(
    traceId: string,
    complete: (trace: JaegerTrace) => string | undefined,
  ): Promise<JaegerTrace> {
    return eventually(
      async () => {
        const { data } = (await (await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`)).json()) as {
          data?: JaegerTrace[];
        };
        const trace = data?.[0];
        const missing = trace ? complete(trace) : 'the trace';
        if (missing) throw new Error(`trace ${traceId} lacks ${missing} so far`);
        return trace!;
      },
      { timeoutMs: 40_000, intervalMs: 1000 },
    );
  }

  it('holds the upload (all three services, S3 parts, TiDB, relay → Kafka → consumer) and the parallel download', async () => {
    const { traceId, metadata } = newTrace();
    const { uploadId } = await callUnary(
      uploads,
      uploadV1.UploadService.method.initiateUpload,
      { name: 'traced.bin', driveId: 'tracing' },
      { metadata },
    );
    const chunks = Array.from({ length: 8 }, (_, n) => ({
      chunk: { uploadId, chunkNumber: BigInt(n), data: file.subarray(n * 8 * MiB, (n + 1) * 8 * MiB) },
    }));
    await callClientStream(uploads, uploadV1.UploadService.method.uploadChunks, chunks, {
      metadata,
      maxQueuedMessages: 1,
    });
    const { node } = await callUnary(
      uploads,
      uploadV1.UploadService.method.completeUpload,
      { uploadId, totalChunks: 8n },
      { metadata },
    );
    expect(await download(node!.nodeId, metadata)).toBe(file.length);

    const serviceOf = (trace: JaegerTrace, span: JaegerSpan) => trace.processes[span.processID]!.serviceName;
    const named = (trace: JaegerTrace, pattern: RegExp) =>
      trace.spans.filter((span) => pattern.test(span.operationName));
    const trace = await traceWith(traceId, (candidate) => {
      // Services export in batches: wait until every part of the story has arrived.
      if (named(candidate, /GetObject/).length < 8) return 'the download’s GetObject spans';
      if (named(candidate, /UploadPart$/).length < 8) return 'the upload’s UploadPart spans';
      if (named(candidate, /^download\.stream$/).length < 1) return 'the download.stream span';
      const consumer = candidate.spans.find((span) => consumed(span, 'UploadCompleted'));
      return consumer ? undefined : 'the consumer span of UploadCompleted';
    });

    expect(new Set(trace.spans.map((span) => serviceOf(trace, span)))).toEqual(
      new Set(['intake-gateway', 'repository-service', 'metadata-service']),
    );
    expect(named(trace, /UploadPart$/).length).toBeGreaterThanOrEqual(8);
    const isSql = (span: JaegerSpan) =>
      [tag(span, 'db.system'), tag(span, 'db.system.name')].includes('mysql');
    const sqlWrites = trace.spans.filter(
      (span) =>
        serviceOf(trace, span) === 'repository-service' &&
        isSql(span) &&
        /INSERT|UPDATE/.test(span.operationName),
    );
    expect(sqlWrites.length).toBeGreaterThan(0);
    const consumer = trace.spans.find((span) => consumed(span, 'UploadCompleted'))!;
    expect(serviceOf(trace, consumer)).toBe('metadata-service');
    expect(tag(consumer, 'span.kind')).toBe('consumer');

    // The read: GETs under one download.stream span (itself under ReadFile), side by side in time.
    const [stream] = named(trace, /^download\.stream$/);
    expect(named(trace, /ReadFile$/).map((span) => span.spanID)).toContain(parentOf(stream!));
    const gets = named(trace, /GetObject/).filter((span) => parentOf(span) === stream!.spanID);
    expect(gets.length).toBeGreaterThanOrEqual(8);
    const sorted = [...gets].sort((a, b) => a.startTime - b.startTime);
    const overlapping = sorted.filter(
      (span, k) => k > 0 && span.startTime < sorted[k - 1]!.startTime + sorted[k - 1]!.duration,
    );
    expect(overlapping.length).toBeGreaterThanOrEqual(4);

    // `tessera trace` shows the same trace as a waterfall in the terminal.
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(REPO_ROOT, 'tools/cli/dist/main.js'),
      'trace',
      traceId,
      `--jaeger=${jaeger.queryUrl}`,
      '--width=140',
    ]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^trace ${traceId}: \\d+ spans`));
    expect(lines.filter((line) => /intake-gateway: S3\.GetObject/.test(line)).length).toBeGreaterThanOrEqual(
      8,
    );
    expect(lines.at(-1)).toBe(`${jaeger.queryUrl}/trace/${traceId}`);
  });

  it('writes the trace and span ids into the log lines of a traced call, and Jaeger has that span', async () => {
    const { traceId, metadata } = newTrace();
    const { uploadId } = await callUnary(
      uploads,
      uploadV1.UploadService.method.initiateUpload,
      { name: 'logged.bin', driveId: 'tracing' },
      { metadata },
    );
    await callClientStream(
      uploads,
      uploadV1.UploadService.method.uploadChunks,
      [{ chunk: { uploadId, chunkNumber: 0n, data: file.subarray(0, MiB) } }],
      { metadata },
    );
    await callUnary(
      uploads,
      uploadV1.UploadService.method.completeUpload,
      { uploadId, totalChunks: 1n },
      { metadata },
    );

    // The line is read from the service's stdout, which may come after the call's answer.
    const line = await eventually(() => {
      const logged = stack.repositoryLogs.find(
        (entry) => entry['message'] === 'upload completed' && entry['uploadId'] === uploadId,
      );
      expect(logged).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
      return logged;
    });
    const trace = await traceWith(line!['trace_id'] as string, (candidate) =>
      candidate.spans.some((span) => span.spanID === line!['span_id'])
        ? undefined
        : `span ${line!['span_id']}`,
    );
    const span = trace.spans.find((candidate) => candidate.spanID === line!['span_id'])!;
    expect(trace.processes[span.processID]!.serviceName).toBe('repository-service');
    expect(span.operationName).toMatch(/CompleteUpload/);
  });

  it('shows the TiDB fallback under the metadata lookup when the cache misses', async () => {
    const { metadata } = newTrace();
    const { uploadId } = await callUnary(
      uploads,
      uploadV1.UploadService.method.initiateUpload,
      { name: 'miss.bin', driveId: 'tracing' },
      { metadata },
    );
    await callUnary(uploads, uploadV1.UploadService.method.uploadChunk, {
      chunk: { uploadId, chunkNumber: 0n, data: file.subarray(0, 1000) },
    });
    const { node } = await callUnary(uploads, uploadV1.UploadService.method.completeUpload, {
      uploadId,
      totalChunks: 1n,
    });
    // The metadata service's consumer also refreshes the entry from UploadCompleted: let it do so
    // first (every event published so far consumed), or it could refill the entry after the
    // eviction below.
    await eventually(
      async () => {
        expect(await metricValue(stack.repositoryHttpUrl, 'tessera_outbox_pending')).toBe(0);
        const published = await metricValue(stack.repositoryHttpUrl, 'tessera_outbox_published_total');
        const handled = await metricSum(stack.metadataHttpUrl, 'tessera_lifecycle_events_handled_total');
        expect(handled).toBeGreaterThanOrEqual(published);
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const client = new Redis({ host: redis.host, port: redis.port });
    await client.del(`${stack.cachePrefix}node:${node!.nodeId}`);
    client.disconnect();

    const read = newTrace();
    expect(await download(node!.nodeId, read.metadata)).toBe(1000);
    const trace = await traceWith(read.traceId, (candidate) =>
      candidate.spans.some((span) => span.operationName === 'metadata.get_node')
        ? undefined
        : 'metadata.get_node',
    );
    const lookup = trace.spans.find((span) => span.operationName === 'metadata.get_node')!;
    expect(tag(lookup, 'cache.hit')).toBe(false);
    const underLookup = trace.spans
      .filter((span) => parentOf(span) === lookup.spanID)
      .map((span) => span.operationName);
    expect(underLookup).toEqual(expect.arrayContaining(['get', 'SELECT']));
  });

  it('exposes call latency histograms, chunk counters, S3 and TiDB durations and cache lookups on /metrics', async () => {
    const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const intake = await scrape(stack.intakeHttpUrl);
    for (const method of ['InitiateUpload', 'UploadChunks', 'CompleteUpload']) {
      expect(intake).toMatch(
        new RegExp(
          `rpc_server_call_duration_seconds_bucket\\{rpc_system="grpc",rpc_method="tessera.upload.v1.UploadService/${method}",rpc_grpc_status_code="0"`,
        ),
      );
    }
    expect(intake).toMatch(
      /rpc_server_call_duration_seconds_count\{rpc_system="grpc",rpc_method="tessera.download.v1.DownloadService\/ReadFile"/,
    );
    expect(intake).toMatch(/tessera_s3_request_duration_seconds_bucket\{operation="GetObject",outcome="ok"/);

    const repository = await scrape(stack.repositoryHttpUrl);
    const value = (name: string) =>
      Number(repository.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1]);
    expect(value('tessera_uploaded_bytes_total')).toBeGreaterThanOrEqual(64 * MiB);
    expect(repository).toMatch(/tessera_chunks_uploaded_total\{duplicate="false"[^}]*\} (9|\d\d)/);
    expect(value('tessera_inflight_chunks')).toBe(0);
    expect(repository).toMatch(
      /tessera_s3_request_duration_seconds_bucket\{operation="UploadPart",outcome="ok"/,
    );
    for (const operation of ['select', 'insert', 'batch']) {
      expect(repository).toMatch(
        new RegExp(
          `db_client_operation_duration_seconds_bucket\\{db_system_name="tidb",db_operation_name="${operation}",`,
        ),
      );
    }
    const metadata = await scrape(stack.metadataHttpUrl);
    expect(metadata).toMatch(/tessera_cache_lookups_total\{cache_hit="false"/);
    expect(metadata).toMatch(
      /db_client_operation_duration_seconds_bucket\{db_system_name="tidb",db_operation_name="select",/,
    );
  });
  it('names every metric of the three services by the Prometheus conventions, runtime metrics included', async () => {
    for (const url of [stack.intakeHttpUrl, stack.repositoryHttpUrl, stack.metadataHttpUrl]) {
      const exposition = await (await fetch(`${url}/metrics`)).text();
      expect({ url, problems: lintPrometheusExposition(exposition) }).toEqual({ url, problems: [] });
      expect(exposition).toMatch(/^rpc_server_call_duration_seconds_bucket\{/m);
      expect(exposition).toMatch(/^v8js_gc_duration_seconds_bucket\{/m);
      expect(exposition).toMatch(/^nodejs_eventloop_delay_p99_seconds\{/m);
      expect(exposition).toMatch(/^v8js_memory_heap_used_bytes\{/m);
    }
  });
});
