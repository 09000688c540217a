import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Metadata, type Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { LIFECYCLE_EVENTS_ARTIFACT } from '@tessera/events';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { ApicurioRegistry } from '@tessera/schema-registry';
import { eventually, stackEndpoints } from '@tessera/testing';
import { eventsOfNode, readLifecycleTopic, type ReceivedEvent } from './lifecycle-topic';
import { REPO_ROOT, startUploadStack, TEST_SCHEMA_GROUP, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const distinctIds = (events: ReceivedEvent[]) => new Set(events.map((event) => event.eventId)).size;

describe('lifecycle events: repository outbox → relay → Kafka → consumers', () => {
  const { kafka, jaeger, apicurio } = stackEndpoints();
  let stack: UploadStack;
  let client: Client;

  beforeAll(async () => {
    const traced = { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    stack = await startUploadStack('lifecycle', {
      repositoryEnv: traced,
      metadataEnv: traced,
      intakeEnv: traced,
    });
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    // The metadata service's group starts at the end of the topic: wait until it is in.
    await eventually(
      async () => {
        if (!stack.metadataLogs.some((line) => line['message'] === 'lifecycle consumer joined its group'))
          throw new Error('the metadata service has not joined its consumer group yet');
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  const initiate = (name: string, metadata?: Metadata) =>
    callUnary(client, rpc.initiateUpload, { name, driveId: 'events' }, metadata && { metadata });

  const sendChunk = (uploadId: string, chunkNumber: number, data: Buffer, metadata?: Metadata) =>
    callUnary(
      client,
      rpc.uploadChunk,
      { chunk: { uploadId, chunkNumber: BigInt(chunkNumber), data } },
      metadata && { metadata },
    );

  const complete = (uploadId: string, chunks: number, metadata?: Metadata) =>
    callUnary(
      client,
      rpc.completeUpload,
      { uploadId, totalChunks: BigInt(chunks) },
      metadata && { metadata },
    );

  it('keeps each node’s events in order across 20 interleaved uploads', async () => {
    const names = Array.from({ length: 5 }, (_, n) => `interleaved-${n}-${randomUUID()}.bin`);
    const uploads = await Promise.all(Array.from({ length: 20 }, (_, i) => initiate(names[i % 5]!)));
    for (let chunkNumber = 0; chunkNumber < 3; chunkNumber++) {
      await Promise.all(uploads.map((u) => sendChunk(u.uploadId, chunkNumber, randomBytes(1024))));
    }
    await Promise.all(uploads.map((u) => complete(u.uploadId, 3)));

    const events = await readLifecycleTopic(
      kafka.brokers,
      stack.lifecycleTopic,
      (got) => distinctIds(got) >= 100,
    );
    expect(distinctIds(events)).toBe(100); // 20 × (initiated + 3 chunks + completed)
    for (const nodeId of new Set(uploads.map((u) => u.nodeId))) {
      const ofNode = eventsOfNode(events, nodeId);
      expect(new Set(ofNode.map((event) => event.partition)).size).toBe(1);
      for (const { uploadId } of uploads.filter((u) => u.nodeId === nodeId)) {
        const sequence = ofNode
          .filter((event) => event.event.message.uploadId === uploadId)
          .map((event) => event.type);
        expect(sequence).toEqual([
          'UploadInitiated',
          'ChunkUploaded',
          'ChunkUploaded',
          'ChunkUploaded',
          'UploadCompleted',
        ]);
      }
      const versions = ofNode.flatMap((event) =>
        event.event.type === 'tessera.events.v1.UploadCompleted' ? [Number(event.event.message.version)] : [],
      );
      expect(versions).toEqual([1, 2, 3, 4]);
    }
  });

  it('names the registered schema of every event in Apicurio headers', async () => {
    const { uploadId, nodeId } = await initiate(`schema-${randomUUID()}.txt`);
    await sendChunk(uploadId, 0, Buffer.from('hello'));
    await complete(uploadId, 1);
    const events = await readLifecycleTopic(kafka.brokers, stack.lifecycleTopic, (got) =>
      got.some((event) => event.key === nodeId && event.type === 'UploadCompleted'),
    );
    const registered = await new ApicurioRegistry(apicurio.url).latestVersion(
      TEST_SCHEMA_GROUP,
      LIFECYCLE_EVENTS_ARTIFACT,
    );
    const completed = eventsOfNode(events, nodeId).find((event) => event.type === 'UploadCompleted')!;
    expect(completed).toMatchObject({ globalId: registered.globalId, contentId: registered.contentId });
    const schema = await (await fetch(`${apicurio.url}/ids/globalIds/${completed.globalId}`)).text();
    expect(schema).toContain('message UploadCompleted');
    expect(completed.event.message).toMatchObject({
      nodeId,
      uploadId,
      object: { bucket: stack.bucket, size: 5n, sha256: sha256(Buffer.from('hello')) },
    });
  });

  it('`tessera events tail` decodes a node’s events with the schema it looks up in Apicurio', async () => {
    const { uploadId, nodeId } = await initiate(`tail-${randomUUID()}.txt`);
    await sendChunk(uploadId, 0, Buffer.from('tail!'));
    await complete(uploadId, 1);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(REPO_ROOT, 'tools/cli/dist/main.js'),
        'events',
        'tail',
        `--brokers=${kafka.brokers.join(',')}`,
        `--topic=${stack.lifecycleTopic}`,
        `--registry=${apicurio.url}`,
        '--from-beginning',
        `--node=${nodeId}`,
        '--max-events=3',
        '--json',
      ],
      { timeout: 60_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines.map((line) => line['type'])).toEqual([
      'tessera.events.v1.UploadInitiated',
      'tessera.events.v1.ChunkUploaded',
      'tessera.events.v1.UploadCompleted',
    ]);
    expect(lines[2]!['event']).toMatchObject({
      nodeId,
      uploadId,
      version: '1',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      object: { size: '5', sha256: sha256(Buffer.from('tail!')), bucket: stack.bucket },
    });
  });

  it('continues the client’s trace through the outbox and Kafka into the metadata service', async () => {
    const traceId = randomBytes(16).toString('hex');
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    const { uploadId } = await initiate(`traced-${randomUUID()}.txt`, metadata);
    await sendChunk(uploadId, 0, Buffer.from('traced'), metadata);
    await complete(uploadId, 1, metadata);

    interface JaegerSpan {
      operationName: string;
      processID: string;
      tags: { key: string; value: unknown }[];
    }
    type JaegerTrace = { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> };
    const kindOf = (span: JaegerSpan) => span.tags.find((tag) => tag.key === 'span.kind')?.value;
    const spansOf = (trace: JaegerTrace, service: string, kind: string) =>
      trace.spans.filter(
        (span) => trace.processes[span.processID]?.serviceName === service && kindOf(span) === kind,
      );
    const trace = await eventually(
      async () => {
        const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
        const { data } = (await response.json()) as { data?: JaegerTrace[] };
        const found = data?.[0];
        // UploadInitiated, ChunkUploaded and UploadCompleted each published in the client's trace,
        // and consumed by the metadata service in it.
        if (!found || spansOf(found, 'repository-service', 'producer').length < 3)
          throw new Error(`trace ${traceId} does not hold the relay's three send spans yet`);
        if (spansOf(found, 'metadata-service', 'consumer').length < 3)
          throw new Error(`trace ${traceId} does not hold the metadata service's consumer spans yet`);
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    const consumers = spansOf(trace, 'metadata-service', 'consumer');
    expect(consumers.every((span) => span.operationName.includes(stack.lifecycleTopic))).toBe(true);
    expect(spansOf(trace, 'repository-service', 'producer').map((span) => span.operationName)).toEqual(
      Array(3).fill(`send ${stack.lifecycleTopic}`),
    );
  });

  it('exposes the outbox lag and what the metadata service consumed as metrics', async () => {
    const metricsText = async (url: string) => (await fetch(`${url}/metrics`)).text();
    await eventually(
      async () => {
        const text = await metricsText(stack.metadataHttpUrl);
        expect(text).toMatch(
          /tessera_lifecycle_events_handled_total\{[^}]*type="UploadCompleted"[^}]*outcome="(current|refreshed)"/,
        );
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    const repository = await metricsText(stack.repositoryHttpUrl);
    expect(repository).toMatch(/tessera_outbox_pending(\{[^}]*\})? 0/);
    expect(repository).toMatch(/tessera_outbox_lag_seconds(\{[^}]*\})? 0/);
    expect(repository).toMatch(/tessera_outbox_published_total(\{[^}]*\})? [1-9]/);
  });
});
