import { createHash } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import {
  callClientStream,
  callServerStream,
  callUnary,
  checkHealth,
  createGrpcClient,
  createHealthClient,
} from '@tessera/grpc';
import { eventually } from '@tessera/testing';
import { runCases, type RunReport } from './fuzz/case-runner';
import type { CaseContext } from './fuzz/case-context';
import type { FuzzCase } from './fuzz/fuzz-case';
import { createFuzzFixtures } from './fuzz/fuzz-fixtures';
import { hostileFieldCases } from './fuzz/hostile-field-cases';
import { httpCases } from './fuzz/http-cases';
import { malformedCases } from './fuzz/malformed-cases';
import { heavyOversizedCases, oversizedCases } from './fuzz/oversized-cases';
import { RawGrpcClient } from './fuzz/raw-grpc-client';
import { RawGrpcFrames } from './fuzz/raw-grpc-frames';
import { fuzzSeed, SeededRandom } from './fuzz/seeded-random';
import { streamCases } from './fuzz/stream-cases';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
/** The defaults of GRPC_MAX_RECEIVE_MESSAGE_BYTES and MAX_CHUNK_BYTES, set explicitly so the cases know them. */
const MAX_RECEIVE_BYTES = 80 * MiB;
const MAX_CHUNK_BYTES = 64 * MiB;
/** Cases per family (10,500, plus 7 heavy oversized ones); they run shuffled, CONCURRENCY at a time. */
const CASES = { malformed: 3000, hostileFields: 3300, oversized: 200, streams: 1000, http: 3000 };
const CONCURRENCY = 24;

const upload = uploadV1.UploadService.method;
const download = downloadV1.DownloadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function shuffled<T>(items: T[], random: SeededRandom): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function generateCases(context: CaseContext): FuzzCase[] {
  let index = 0;
  const next = (cases: FuzzCase[]) => ((index += cases.length), cases);
  return [
    ...next(malformedCases(context, CASES.malformed, index)),
    ...next(hostileFieldCases(context, CASES.hostileFields, index)),
    ...next(oversizedCases(context, CASES.oversized, index)),
    ...next(streamCases(context, CASES.streams, index)),
    ...next(httpCases(context, CASES.http, index)),
    ...next(heavyOversizedCases(context, index)),
  ];
}

describe('fuzzing the intake gateway public gRPC and HTTP APIs (issue: no crash, no hang, clear statuses)', () => {
  const seed = fuzzSeed();
  let stack: UploadStack;
  let uploads: Client;
  let downloads: Client;
  let grpc: RawGrpcClient;
  let frames: RawGrpcFrames;

  beforeAll(async () => {
    console.log(`api fuzz seed ${seed}: rerun with TESSERA_FUZZ_SEED=${seed}`);
    stack = await startUploadStack('api_fuzz', {
      intakeEnv: {
        GRPC_MAX_RECEIVE_MESSAGE_BYTES: String(MAX_RECEIVE_BYTES),
        MAX_CHUNK_BYTES: String(MAX_CHUNK_BYTES),
      },
      repositoryEnv: { MAX_CHUNK_BYTES: String(MAX_CHUNK_BYTES) },
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
    grpc = new RawGrpcClient(stack.intakeAddress);
    frames = new RawGrpcFrames(stack.intakeAddress);
    // New uploads are refused until the metadata service has seen Redis answer (docs/upload.md).
    await eventually(
      () => callUnary(uploads, upload.initiateUpload, { name: 'probe.bin', driveId: 'drive-probe' }),
      {
        timeoutMs: 20_000,
      },
    );
  });

  afterAll(async () => {
    for (const client of [uploads, downloads, grpc, frames]) client?.close();
    await stack?.stop();
  });

  it('answers more than 10,000 generated cases in time with clear statuses', async () => {
    const random = new SeededRandom(seed);
    const url = new URL(stack.intakeHttpUrl);
    const context: CaseContext = {
      random,
      grpc,
      frames,
      uploads,
      downloads,
      http: { host: url.hostname, port: Number(url.port) },
      fixtures: await createFuzzFixtures(uploads, random),
      maxReceiveBytes: MAX_RECEIVE_BYTES,
      maxChunkBytes: MAX_CHUNK_BYTES,
    };
    const cases = generateCases(context);
    expect(cases.length).toBeGreaterThanOrEqual(10_000);
    const report: RunReport = { violations: [], answers: {} };
    const startedAt = Date.now();
    await runCases(
      shuffled(
        cases.filter((c) => !c.heavy),
        random,
      ),
      CONCURRENCY,
      report,
    );
    await runCases(
      cases.filter((c) => c.heavy),
      1,
      report,
    );
    console.log(
      `api fuzz seed ${seed}: ${cases.length} cases in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, ` +
        `${report.violations.length} violations; answers ${JSON.stringify(report.answers, null, 1)}`,
    );
    expect(report.violations).toEqual([]);
  }, 600_000);

  it('leaves every service running and serving, and a normal upload and download byte-identical', async () => {
    for (const [name, pid] of Object.entries(stack.pids)) {
      expect({ name, alive: isAlive(pid) }).toEqual({ name, alive: true });
    }
    for (const address of [stack.intakeAddress, stack.repositoryAddress, stack.metadataAddress]) {
      const health = createHealthClient(address);
      await expect(checkHealth(health, '', 5000)).resolves.toBe('SERVING');
      health.close();
    }

    const data = new SeededRandom(seed).bytes(3 * MiB + 17);
    const { uploadId } = await callUnary(uploads, upload.initiateUpload, {
      name: 'after-fuzz.bin',
      driveId: 'drive-after',
    });
    const { results } = await callClientStream(uploads, upload.uploadChunks, [
      { chunk: { uploadId, chunkNumber: 1n, data: data.subarray(2 * MiB) } },
      { chunk: { uploadId, chunkNumber: 0n, data: data.subarray(0, 2 * MiB) } },
    ]);
    expect(results.map((result) => result.code)).toEqual([0, 0]);
    const { node } = await callUnary(uploads, upload.completeUpload, {
      uploadId,
      totalChunks: 2n,
      sha256: sha256(data),
    });
    const pieces: Uint8Array[] = [];
    for await (const message of callServerStream(downloads, download.readFile, { nodeId: node!.nodeId }))
      pieces.push(message.data);
    expect(sha256(Buffer.concat(pieces))).toBe(sha256(data));

    const overHttp = await fetch(`${stack.intakeHttpUrl}/read/${node!.nodeId}`);
    expect(overHttp.status).toBe(200);
    expect(sha256(Buffer.from(await overHttp.arrayBuffer()))).toBe(sha256(data));

    // No chunk bytes stay reserved in the gateway after all the cancelled and refused chunks.
    await eventually(async () => expect(await chunkBytesHeld(stack.intakeHttpUrl)).toBe(0));
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function chunkBytesHeld(httpUrl: string): Promise<number> {
  const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('tessera_intake_chunks_held_bytes'));
  return Number(line?.split(' ').at(-1));
}
