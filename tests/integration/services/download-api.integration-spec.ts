import { createHash, randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { status, type Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import { callClientStream, callServerStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { eventually, stackEndpoints } from '@tessera/testing';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const upload = uploadV1.UploadService.method;
const download = downloadV1.DownloadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('ReadFile: downloads through the intake gateway, ranged reads in parallel', () => {
  const { jaeger } = stackEndpoints();
  let stack: UploadStack;
  let uploads: Client;
  let downloads: Client;
  // Three 6 MiB chunks become three 6 MiB parts: part boundaries at 6 MiB and 12 MiB.
  const file = Buffer.concat([randomBytes(6 * MiB), randomBytes(6 * MiB), randomBytes(6 * MiB)]);
  let nodeId: string;

  beforeAll(async () => {
    // Small reads so that one download is many parallel ranged GETs.
    const traced = { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    stack = await startUploadStack('download_api', {
      intakeEnv: { READ_RANGE_BYTES: String(2 * MiB), READ_PARALLELISM: '4', ...traced },
      metadataEnv: traced,
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
      'grpc.max_send_message_length': -1,
    });
    downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
    nodeId = (await store('film.mkv', file, 6 * MiB)).nodeId;
  });

  afterAll(async () => {
    uploads.close();
    downloads.close();
    await stack.stop();
  });

  async function store(name: string, data: Buffer, chunkBytes: number) {
    const { uploadId } = await callUnary(uploads, upload.initiateUpload, { name, driveId: 'drive-d' });
    const chunks = [];
    for (let offset = 0, n = 0; offset < data.length; offset += chunkBytes, n++) {
      chunks.push({
        chunk: { uploadId, chunkNumber: BigInt(n), data: data.subarray(offset, offset + chunkBytes) },
      });
    }
    await callClientStream(uploads, upload.uploadChunks, chunks);
    return (await callUnary(uploads, upload.completeUpload, { uploadId })).node!;
  }

  async function read(request: Omit<downloadV1.ReadFileRequest, '$typeName'>) {
    const pieces: Buffer[] = [];
    let first: downloadV1.ReadFileResponse | undefined;
    let expectedOffset: bigint | undefined;
    for await (const message of callServerStream(downloads, download.readFile, request)) {
      first ??= message;
      expectedOffset ??= message.offset;
      expect(message.offset).toBe(expectedOffset); // in order, no gaps
      expectedOffset += BigInt(message.data.length);
      expect(message.data.length).toBeLessThanOrEqual(MiB);
      pieces.push(Buffer.from(message.data));
    }
    return { node: first?.node, bytes: Buffer.concat(pieces) };
  }

  it('streams the whole file byte-identical, in order, the node in the first message', async () => {
    const { node, bytes } = await read({ nodeId });
    expect(node).toMatchObject({ nodeId, version: 1n, size: BigInt(file.length) });
    expect(node?.location?.partSizes).toEqual([6n, 6n, 6n].map((n) => n * BigInt(MiB)));
    expect(sha256(bytes)).toBe(sha256(file));
  });

  it('shows in one trace: the metadata lookup in the metadata service, then overlapping S3 GETs', async () => {
    const startedUs = Date.now() * 1000;
    const { bytes } = await read({ nodeId });
    expect(bytes.length).toBe(file.length);
    interface JaegerSpan {
      spanID: string;
      operationName: string;
      startTime: number;
      duration: number;
      processID: string;
      references: { refType: string; spanID: string }[];
    }
    type JaegerTrace = { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> };
    const trace = await eventually(
      async () => {
        const url = `${jaeger.queryUrl}/api/traces?service=intake-gateway&start=${startedUs}&limit=50`;
        const { data } = (await (await fetch(url)).json()) as { data: JaegerTrace[] };
        const found = data.find(
          (candidate) =>
            candidate.spans.some((span) => span.operationName.endsWith('DownloadService/ReadFile')) &&
            candidate.spans.some((span) => span.operationName === 'metadata.get_node') &&
            candidate.spans.filter((span) => span.operationName.includes('GetObject')).length >= 9,
        );
        if (!found) throw new Error('no complete ReadFile trace in Jaeger yet');
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    const services = new Set(trace.spans.map((span) => trace.processes[span.processID]!.serviceName));
    expect(services).toEqual(new Set(['intake-gateway', 'metadata-service']));
    expect(trace.spans.map((span) => span.operationName)).toEqual(
      expect.arrayContaining(['metadata.get_node']),
    );
    const gets = trace.spans.filter((span) => span.operationName.includes('GetObject'));
    expect(new Set(gets.map((span) => span.references[0]?.spanID)).size).toBe(1); // one parent
    // Reads ran side by side: some GET started before another one ended.
    const sorted = [...gets].sort((a, b) => a.startTime - b.startTime);
    const overlapping = sorted.filter(
      (span, k) => k > 0 && span.startTime < sorted[k - 1]!.startTime + sorted[k - 1]!.duration,
    );
    expect(overlapping.length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['the first byte', 0, 1],
    ['the last byte', file.length - 1, 1],
    ['a suffix of 100 bytes', file.length - 100, undefined],
    ['a range across the first part boundary', 6 * MiB - 10, 20],
    ['a range across both part boundaries', 6 * MiB - 1, 6 * MiB + 2],
    ['nothing, at the very end', file.length, 0],
  ])('reads %s', async (_what, offset, length) => {
    const { node, bytes } = await read({
      nodeId,
      offset: BigInt(offset),
      ...(length !== undefined && { length: BigInt(length) }),
    });
    expect(node?.nodeId).toBe(nodeId);
    const end = length === undefined ? file.length : offset + length;
    expect(bytes.equals(file.subarray(offset, end))).toBe(true);
  });

  it('refuses a range beyond the end, naming the field, and answers NOT_FOUND for an unknown node', async () => {
    await expect(read({ nodeId, offset: BigInt(file.length + 1) })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('offset'),
    });
    await expect(read({ nodeId, offset: 10n, length: BigInt(file.length) })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('length'),
    });
    await expect(read({ nodeId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('reads the new bytes right after an overwrite, and the old version by number', async () => {
    const first = await store('notes.txt', Buffer.from('first version'), MiB);
    const second = await store('notes.txt', Buffer.from('second, longer version'), MiB);
    expect(second).toMatchObject({ nodeId: first.nodeId, version: 2n });
    expect((await read({ nodeId: first.nodeId })).bytes.toString()).toBe('second, longer version');
    expect((await read({ nodeId: first.nodeId, version: 1n })).bytes.toString()).toBe('first version');
  });

  it('hands out a presigned URL of the stored version that plain HTTP can fetch', async () => {
    const answer = await callUnary(downloads, download.getDownloadUrl, { nodeId });
    expect(answer).toMatchObject({ ttlSeconds: 900, node: { nodeId, version: 1n } });
    expect(answer.url).toContain('X-Amz-Expires=900');
    expect(answer.url).toContain(`versionId=${encodeURIComponent(answer.node!.location!.versionId)}`);
    const fetched = await fetch(answer.url);
    expect(fetched.status).toBe(200);
    expect(sha256(Buffer.from(await fetched.arrayBuffer()))).toBe(sha256(file));

    const short = await callUnary(downloads, download.getDownloadUrl, { nodeId, ttlSeconds: 60 });
    expect(short.url).toContain('X-Amz-Expires=60');
    await expect(
      callUnary(downloads, download.getDownloadUrl, { nodeId, ttlSeconds: 10_000 }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('ttl_seconds'),
    });
  });

  it('slows its S3 reads down to a client that stops reading, instead of buffering the file', async () => {
    const large = await store('large.bin', randomBytes(64 * MiB), 8 * MiB);
    const readFromS3 = async () => {
      const text = await (await fetch(`${stack.intakeHttpUrl}/metrics`)).text();
      const line = text.split('\n').find((row) => row.startsWith('tessera_download_s3_read_bytes_total'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await readFromS3();
    const stream = (downloads as unknown as Record<string, (request: unknown) => NodeJS.ReadableStream>)[
      'ReadFile'
    ]!(create(downloadV1.ReadFileRequestSchema, { nodeId: large.nodeId }));
    stream.on('error', () => undefined); // a failed assertion below cancels the call at teardown
    const hash = createHash('sha256');
    await new Promise<void>((resolve) =>
      stream.once('data', (message: downloadV1.ReadFileResponse) => {
        hash.update(message.data);
        stream.pause();
        resolve();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // While the client reads nothing, S3 is read only as far as the buffers along the way allow:
    // the client library's (16 messages of 1 MiB), the gateway's queue (2 messages) and its ranged
    // reads in flight (4 × 2 MiB) — about 26 MiB, not the 64 MiB file.
    const whilePaused = (await readFromS3()) - before;
    expect(whilePaused).toBeLessThan(32 * MiB);

    for await (const message of stream as AsyncIterable<downloadV1.ReadFileResponse>)
      hash.update(message.data);
    expect((await readFromS3()) - before).toBe(64 * MiB);
    expect(hash.digest('hex')).toBe(large.sha256);
  });

  it('reads an empty file as the node and no bytes', async () => {
    const empty = await store('empty.txt', Buffer.alloc(0), MiB);
    const { node, bytes } = await read({ nodeId: empty.nodeId });
    expect(node).toMatchObject({ size: 0n });
    expect(bytes.length).toBe(0);
  });
});
