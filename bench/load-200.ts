/**
 * Issue 7, load: N uploads at once (default 200) of mixed sizes, log-uniform from 4 KiB to
 * 256 MiB, through the whole of Tessera (tracing, TiDB, Redis, Kafka on). Each upload sends its
 * 8 MiB chunks one after the other as UploadChunk calls, over one or more client connections; a chunk refused for now
 * (RESOURCE_EXHAUSTED, UNAVAILABLE) is sent again after the server's retry-after hint. Reports
 * throughput, chunk acknowledgement latency p50/p95/p99, refusals, errors (anything else) and each
 * service's peak RSS.
 *
 *   npx tsx bench/load-200.ts [--uploads 200] [--seed 7] [--max-streams 32] [--max-chunk-calls 64]
 *     [--connections 1]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { isRetryable, retryDelayMs } from '@tessera/client';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { DeterministicFile } from '@tessera/testing';
import { MiB, percentile, startBenchStack } from './lib/bench-stack';
import { mib, processMemory } from './lib/process-memory';

const { values: args } = parseArgs({
  options: {
    uploads: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    /** The intake gateway's GRPC_MAX_CONCURRENT_STREAMS (its default when not given). */
    'max-streams': { type: 'string' },
    /** The intake gateway's MAX_OPEN_CHUNK_CALLS (its default when not given). */
    'max-chunk-calls': { type: 'string' },
    /** Client connections the uploads are dealt over. */
    connections: { type: 'string', default: '1' },
  },
});
const CHUNK_BYTES = 8 * MiB;
const rpc = uploadV1.UploadService.method;

/** mulberry32: a small seeded generator, so every run uploads the same sizes. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 4 KiB and 256 MiB first, the rest log-uniform between them. */
function uploadSizes(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const sizes = [4096, 256 * MiB];
  while (sizes.length < count) sizes.push(Math.round(4096 * 2 ** (16 * random())));
  return sizes.slice(0, count);
}

interface LoadTally {
  ackMs: number[];
  throttled: number;
  errors: string[];
}

/** Sends one call until it is answered, again after each refusal for now; false on any other error. */
async function untilAnswered(call: () => Promise<unknown>, tally: LoadTally, what: string): Promise<boolean> {
  for (let round = 0; ; round++) {
    try {
      await call();
      return true;
    } catch (error) {
      const refused = error as ServiceError;
      if (!isRetryable(refused.code) || round >= 20) {
        tally.errors.push(`${what}: ${status[refused.code] ?? ''} ${refused.details ?? refused.message}`);
        return false;
      }
      tally.throttled += 1;
      const hint = Number(refused.metadata?.get('retry-after')[0] ?? 1);
      await sleep(retryDelayMs([hint], Math.min(round, 3)));
    }
  }
}

async function uploadOne(client: Client, index: number, size: number, tally: LoadTally): Promise<void> {
  let uploadId = '';
  const initiate = { name: `load-${index}.bin`, driveId: 'load', idempotencyKey: `load-${index}` };
  const opened = await untilAnswered(
    async () => ({ uploadId } = await callUnary(client, rpc.initiateUpload, initiate)),
    tally,
    `upload ${index} InitiateUpload`,
  );
  if (!opened) return;
  const file = new DeterministicFile(size, CHUNK_BYTES);
  const whole = createHash('sha256');
  for (let chunkNumber = 0; chunkNumber < file.chunkCount; chunkNumber++) {
    const data = file.chunk(chunkNumber);
    whole.update(data);
    const chunk = { uploadId, chunkNumber: BigInt(chunkNumber), data };
    const sent = await untilAnswered(
      async () => {
        const started = performance.now();
        await callUnary(client, rpc.uploadChunk, { chunk });
        tally.ackMs.push(performance.now() - started);
      },
      tally,
      `upload ${index} chunk ${chunkNumber}`,
    );
    if (!sent) return;
  }
  const complete = { uploadId, totalChunks: BigInt(file.chunkCount), sha256: whole.digest('hex') };
  await untilAnswered(
    () => callUnary(client, rpc.completeUpload, complete),
    tally,
    `upload ${index} complete`,
  );
}

async function main(): Promise<void> {
  const sizes = uploadSizes(Number(args.uploads), Number(args.seed));
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  const streams = args['max-streams'];
  const chunkCalls = args['max-chunk-calls'];
  const bench = await startBenchStack('bench_load', {
    intakeEnv: {
      ...(streams && { GRPC_MAX_CONCURRENT_STREAMS: streams }),
      ...(chunkCalls && { MAX_OPEN_CHUNK_CALLS: chunkCalls }),
    },
  });
  const clients = Array.from({ length: Number(args.connections) }, () =>
    createGrpcClient(uploadV1.UploadService, bench.stack.intakeAddress, {
      'grpc.use_local_subchannel_pool': 1,
    }),
  );
  try {
    const tally: LoadTally = { ackMs: [], throttled: 0, errors: [] };
    const started = performance.now();
    await Promise.all(
      sizes.map((size, index) => uploadOne(clients[index % clients.length]!, index, size, tally)),
    );
    const seconds = (performance.now() - started) / 1000;
    const pids = bench.stack.pids;
    const peaks = await Promise.all(
      (['intake', 'repository', 'metadata'] as const).map(async (service) => [
        service,
        (await processMemory(pids[service])).peakRssBytes,
      ]),
    );
    console.log(
      `${sizes.length} uploads at once over ${clients.length} connection(s), ${mib(totalBytes)} MiB in ${seconds.toFixed(1)} s`,
    );
    console.log('| measure | value |');
    console.log('| --- | --- |');
    console.log(`| throughput | ${(totalBytes / MiB / seconds).toFixed(1)} MiB/s |`);
    console.log(`| chunks acknowledged | ${tally.ackMs.length} |`);
    for (const share of [0.5, 0.95, 0.99]) {
      console.log(`| chunk ack p${share * 100} | ${percentile(tally.ackMs, share).toFixed(0)} ms |`);
    }
    console.log(`| refused for now, sent again (RESOURCE_EXHAUSTED / UNAVAILABLE) | ${tally.throttled} |`);
    console.log(`| errors (anything else) | ${tally.errors.length} |`);
    for (const [service, peak] of peaks) console.log(`| peak RSS ${service} | ${mib(peak as number)} MiB |`);
    for (const error of tally.errors.slice(0, 10)) console.error(error);
    if (tally.errors.length > 0) process.exitCode = 1;
  } finally {
    clients.forEach((client) => client.close());
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
