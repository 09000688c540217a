/**
 * Issue 18's one command: the streamed path (client → intake gateway → repository service → S3)
 * against what a user would pick instead, the same work in one run on the same MinIO, with the
 * CPU-seconds per GiB of every process for each flow:
 * - upload, `--size-mib` (1024) in 8 MiB chunks on 4 streams: Tessera, `@aws-sdk/lib-storage` (8 MiB
 *   parts, 4 at once), `@tus/server` and tusd (8 MiB S3 parts);
 * - download of the same: Tessera (`ReadFile`, 4 × 16 MiB) and parallel ranged GETs (4 × 16 MiB);
 * - `--small-chunks-mib` (256) through Tessera in 64 KiB chunks and in 8 MiB chunks, 4 streams;
 * - `--files` (1000) files of 4 KiB one after the other: Tessera (one call) and PutObject.
 *
 *   npx tsx bench/streamed-path.ts [--size-mib 1024] [--small-chunks-mib 256] [--files 1000]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MiB, mibPerSecond, percentile, startBenchStack, writeBenchFile } from './lib/bench-stack';
import { downloadWithRangedGets, uploadWithLibStorage } from './lib/direct-s3';
import { meterCpu, pathPids, type CpuUse } from './lib/process-cpu';
import { startTusPeers, uploadWithTus, type TusPeer } from './lib/tus-peers';

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'small-chunks-mib': { type: 'string', default: '256' },
    files: { type: 'string', default: '1000' },
  },
});
const GiB = 1024 * MiB;
const size = Number(args['size-mib']) * MiB;
const smallChunksSize = Number(args['small-chunks-mib']) * MiB;
const files = Number(args.files);
const chunkBytes = 8 * MiB;
const rangeBytes = 16 * MiB;
const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** One flow's outcome: its speed, and each process's CPU-seconds per GiB it moved. */
interface FlowResult {
  flow: string;
  /** MiB/s, or a p50 in ms for the small files. */
  speed: number;
  unit: 'MiB/s' | 'ms p50';
  cpuPerGiB: Record<string, number>;
}

async function main(): Promise<void> {
  const bench = await startBenchStack('bench_streamed_path');
  // Started inside the try: a peer that fails to start (tusd not built) must not leave the services running.
  const peers: TusPeer[] = [];
  const results: FlowResult[] = [];
  try {
    const { tusNode, tusd } = await startTusPeers(bench.bucket, chunkBytes, peers);
    const pids = await pathPids(bench.stack.pids, peers);
    /** Runs a flow that moves `bytes`, metering every process; `speedOf` turns its result into a speed. */
    const flow = async <T>(
      name: string,
      bytes: number,
      run: () => Promise<T>,
      speedOf: (result: T) => number,
      unit: FlowResult['unit'] = 'MiB/s',
    ) => {
      const stop = await meterCpu(pids);
      const result = await run();
      const use: CpuUse = await stop();
      const cpuPerGiB = Object.fromEntries(
        Object.entries(use.processes).map(([process, { total }]) => [process, (total * GiB) / bytes]),
      );
      results.push({ flow: name, speed: speedOf(result), unit, cpuPerGiB });
      console.error(`${name}: ${speedOf(result).toFixed(1)} ${unit}`);
      return result;
    };
    const rate = (bytes: number) => (seconds: number) => mibPerSecond(bytes, seconds);

    const file = await writeBenchFile(bench.workDir, size);
    const up = await flow(
      'upload: Tessera',
      size,
      () => bench.client.upload(file.path, { name: 'big.bin', chunkBytes, streams: 4 }),
      (result) => mibPerSecond(size, result.seconds),
    );
    if (up.sha256 !== file.sha256) throw new Error('the uploaded node is not the file');
    await flow(
      'upload: lib-storage',
      size,
      () => uploadWithLibStorage(bench.s3, bench.bucket, file.path, { partBytes: chunkBytes, queueSize: 4 }),
      rate(size),
    );
    await flow(
      'upload: @tus/server',
      size,
      () => uploadWithTus(tusNode.endpoint, file.path, size),
      rate(size),
    );
    await flow('upload: tusd', size, () => uploadWithTus(tusd.endpoint, file.path, size), rate(size));

    const read = { parallelism: 4, rangeBytes };
    await flow(
      'download: Tessera',
      size,
      () => bench.client.download(up.node.nodeId, discard(), read),
      (result) => mibPerSecond(size, result.seconds),
    );
    const { bucket, key } = up.node.location!;
    await flow(
      'download: ranged GETs',
      size,
      () => downloadWithRangedGets(bench.s3, bucket, key, size, read),
      (result) => mibPerSecond(size, result.seconds),
    );

    const smallChunksFile = await writeBenchFile(bench.workDir, smallChunksSize);
    for (const [label, bytes] of [
      ['64 KiB', 64 * 1024],
      ['8 MiB', chunkBytes],
    ] as const) {
      await flow(
        `${smallChunksSize / MiB} MiB in ${label} chunks: Tessera`,
        smallChunksSize,
        () =>
          bench.client.upload(smallChunksFile.path, {
            name: `chunks-${bytes}.bin`,
            chunkBytes: bytes,
            streams: 4,
          }),
        (result) => mibPerSecond(smallChunksSize, result.seconds),
      );
    }

    await smallFiles(flow, bench);
  } finally {
    for (const peer of peers) await peer.stop();
    await bench.stop();
  }
  printResults(results);
}

type Flow = <T>(
  name: string,
  bytes: number,
  run: () => Promise<T>,
  speedOf: (result: T) => number,
  unit?: FlowResult['unit'],
) => Promise<T>;

/** `files` files of 4 KiB one after the other, through Tessera in one call each and with PutObject. */
async function smallFiles(flow: Flow, bench: Awaited<ReturnType<typeof startBenchStack>>): Promise<void> {
  const bytes = 4096;
  const paths: string[] = [];
  for (let index = 0; index < files; index++) {
    const path = join(bench.workDir, `small-${index}.bin`);
    await writeFile(path, randomBytes(bytes));
    paths.push(path);
  }
  const timedEach = async (send: (path: string, index: number) => Promise<unknown>) => {
    const ms: number[] = [];
    for (const [index, path] of paths.entries()) {
      const started = performance.now();
      await send(path, index);
      ms.push(performance.now() - started);
    }
    return ms;
  };
  const p50 = (ms: number[]) => percentile(ms, 0.5);
  await flow(
    `${files} × 4 KiB files: Tessera`,
    files * bytes,
    () =>
      timedEach((path, index) => bench.client.upload(path, { name: `small-${index}.bin`, driveId: 'small' })),
    p50,
    'ms p50',
  );
  await flow(
    `${files} × 4 KiB files: PutObject`,
    files * bytes,
    () =>
      timedEach((path, index) =>
        bench.s3.send(
          new PutObjectCommand({
            Bucket: bench.bucket,
            Key: `direct/small-${index}.bin`,
            Body: readFileSync(path),
          }),
        ),
      ),
    p50,
    'ms p50',
  );
}

function printResults(results: FlowResult[]): void {
  const processes = Object.keys(results[0]!.cpuPerGiB);
  console.log(
    `Streamed path, one run: ${size / MiB} MiB up and down (8 MiB chunks, 4 streams), ${smallChunksSize / MiB} MiB in small chunks, ${files} small files`,
  );
  console.log(`| flow | speed | ${processes.join(' | ')} | services |`);
  console.log(`| --- | --- | ${processes.map(() => '---').join(' | ')} | --- |`);
  for (const { flow, speed, unit, cpuPerGiB } of results) {
    const services = ['intake', 'repository', 'metadata'].reduce(
      (sum, name) => sum + (cpuPerGiB[name] ?? 0),
      0,
    );
    const cells = processes.map((name) => cpuPerGiB[name]!.toFixed(2));
    console.log(`| ${flow} | ${speed.toFixed(1)} ${unit} | ${cells.join(' | ')} | ${services.toFixed(2)} |`);
  }
  const speed = (name: string) => results.find((result) => result.flow === name)!.speed;
  const ratio = (a: string, b: string) => (speed(a) / speed(b)).toFixed(2);
  const small = `${smallChunksSize / MiB} MiB in`;
  console.log('\n| ratio | measured | target |');
  console.log('| --- | --- | --- |');
  console.log(`| upload ÷ lib-storage | ${ratio('upload: Tessera', 'upload: lib-storage')} | ≥ 0.8 |`);
  console.log(`| upload ÷ @tus/server | ${ratio('upload: Tessera', 'upload: @tus/server')} | > 1 |`);
  console.log(`| upload ÷ tusd | ${ratio('upload: Tessera', 'upload: tusd')} | — |`);
  console.log(`| download ÷ ranged GETs | ${ratio('download: Tessera', 'download: ranged GETs')} | ≥ 0.9 |`);
  console.log(
    `| 64 KiB ÷ 8 MiB chunks | ${ratio(`${small} 64 KiB chunks: Tessera`, `${small} 8 MiB chunks: Tessera`)} | ≥ 0.5 |`,
  );
  console.log(
    `| 4 KiB file p50 ÷ PutObject p50 | ${ratio(`${files} × 4 KiB files: Tessera`, `${files} × 4 KiB files: PutObject`)} | ≤ 3 |`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
