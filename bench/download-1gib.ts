/**
 * Downloads a large file (1 GiB by default) four ways in the same run, against the same MinIO,
 * in an order that rotates every round: through ReadFile (one call; the gateway reads S3 with
 * ranged GETs), directly with the SDK (`transfer: 'direct'`: presigned ranged GETs from S3), and
 * with plain parallel ranged GETs — the baseline, twice: with @aws-sdk/client-s3, and with Node's
 * fetch of a presigned URL as the SDK reads it but without its checks and its sink. All use the
 * same parallelism and range size; all four are hashed and must match the uploaded file. Reports
 * each flow's throughput, its ratio to the baselines, the CPU-seconds per GiB of every process
 * (the client and each service, MinIO) and the gateway's peak RSS.
 * Needs the stack and a build; run with `make bench-download`.
 *
 *   npx tsx bench/download-1gib.ts [--size-mib 1024] [--rounds 4] [--parallel 8] [--range-mib 8]
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TesseraClient } from '@tessera/client';
import { downloadV1, uploadV1, type metadataV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import type { Client } from '@grpc/grpc-js';
import { createS3Client } from '@tessera/object-storage';
import { DeterministicFile, minioClientOptions } from '@tessera/testing';
import { startUploadStack } from '../tests/integration/services/service-process';
import { median } from './lib/bench-stack';
import { findProcess, meterCpu } from './lib/process-cpu';
import { mib, processMemory } from './lib/process-memory';
import { downloadFile, uploadFile } from './lib/tessera-client';

const MiB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '4' },
    parallel: { type: 'string', default: '8' },
    'range-mib': { type: 'string', default: '8' },
  },
});
const PARALLELISM = Number(args.parallel);
const RANGE_BYTES = Number(args['range-mib']) * MiB;
const file = new DeterministicFile(Number(args['size-mib']) * MiB, 8 * MiB);

/** The baseline: PARALLELISM ranged GETs of RANGE_BYTES in flight, hashed in order. */
async function plainRangedGets(s3: S3Client, node: metadataV1.Node) {
  const started = performance.now();
  const { bucket, key, versionId } = node.location!;
  const get = async (offset: number, end: number) => {
    const output = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        Range: `bytes=${offset}-${end}`,
      }),
    );
    return buffer(output.Body as NodeJS.ReadableStream);
  };
  return {
    ...(await hashRangesInOrder(Number(node.size), get)),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The same with Node's fetch of a presigned URL, as the SDK does it, without its checks. */
async function plainFetchRangedGets(downloads: Client, node: metadataV1.Node) {
  const started = performance.now();
  const { url } = await callUnary(downloads, downloadV1.DownloadService.method.getDownloadUrl, {
    nodeId: node.nodeId,
  });
  const get = async (offset: number, end: number) => {
    const response = await fetch(url, { headers: { Range: `bytes=${offset}-${end}` } });
    if (response.status !== 206) throw new Error(`GET answered ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  };
  return {
    ...(await hashRangesInOrder(Number(node.size), get)),
    seconds: (performance.now() - started) / 1000,
  };
}

async function hashRangesInOrder(size: number, get: (offset: number, end: number) => Promise<Buffer>) {
  const hash = createHash('sha256');
  const running: Promise<Buffer>[] = [];
  let next = 0;
  const startNext = () => {
    running.push(get(next, Math.min(size, next + RANGE_BYTES) - 1));
    next += RANGE_BYTES;
  };
  while (next < size && running.length < PARALLELISM) startNext();
  while (running.length > 0) {
    const data = await running.shift()!;
    if (next < size) startNext();
    hash.update(data);
  }
  return { sha256: hash.digest('hex') };
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

async function main(): Promise<void> {
  const expected = file.sha256();
  const stack = await startUploadStack('bench_download', {
    intakeEnv: { READ_PARALLELISM: String(PARALLELISM), READ_RANGE_BYTES: String(RANGE_BYTES) },
  });
  const uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
    'grpc.max_send_message_length': -1,
  });
  const downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
  const client = new TesseraClient(stack.intakeAddress);
  const s3 = createS3Client(minioClientOptions(3));
  try {
    const { node } = await uploadFile(uploads, file, 'bench.bin');
    const idleIntake = await processMemory(stack.pids.intake);
    const pids = { client: process.pid, ...stack.pids, minio: (await findProcess('minio'))! };
    const flows = {
      readFile: () => downloadFile(downloads, node.nodeId),
      sdkDirect: () =>
        client.download(node.nodeId, discard(), {
          transfer: 'direct',
          parallelism: PARALLELISM,
          rangeBytes: RANGE_BYTES,
        }),
      plainRangedGets: () => plainRangedGets(s3, node),
      plainFetchRangedGets: () => plainFetchRangedGets(downloads, node),
    };
    type Flow = keyof typeof flows;
    const names = Object.keys(flows) as Flow[];
    const seconds = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Flow, number[]>;
    const cpu = Object.fromEntries(names.map((name) => [name, {} as Record<string, number>])) as Record<
      Flow,
      Record<string, number>
    >;
    const rounds = [];
    for (let round = 0; round < Number(args.rounds); round++) {
      const order = names.map((_, index) => names[(index + round) % names.length]!);
      for (const name of order) {
        const stop = await meterCpu(pids);
        const result = await flows[name]();
        const use = await stop();
        if (result.sha256 !== expected) throw new Error(`${name} differs from the upload`);
        if ('transfer' in result && result.transfer !== 'direct')
          throw new Error('the SDK did not read direct');
        seconds[name].push(result.seconds);
        for (const [process, { total }] of Object.entries(use.processes))
          cpu[name][process] = (cpu[name][process] ?? 0) + total;
      }
      const last = (name: Flow) => seconds[name].at(-1)!;
      rounds.push({
        order,
        seconds: Object.fromEntries(names.map((name) => [name, Number(last(name).toFixed(2))])),
        sdkDirectToPlain: Number((last('plainRangedGets') / last('sdkDirect')).toFixed(3)),
        readFileToPlain: Number((last('plainRangedGets') / last('readFile')).toFixed(3)),
        sdkDirectToPlainFetch: Number((last('plainFetchRangedGets') / last('sdkDirect')).toFixed(3)),
      });
      console.error(JSON.stringify(rounds.at(-1)));
    }
    const gib = (file.sizeBytes / 1024 / MiB) * Number(args.rounds);
    const sizeMib = file.sizeBytes / MiB;
    const intake = await processMemory(stack.pids.intake);
    console.log(
      JSON.stringify(
        {
          sizeMib,
          parallelism: PARALLELISM,
          rangeMib: RANGE_BYTES / MiB,
          byteIdentical: true,
          rounds,
          medianMibPerSecond: Object.fromEntries(
            names.map((name) => [name, Number((sizeMib / median(seconds[name])).toFixed(1))]),
          ),
          medianOfRatios: {
            sdkDirectToPlain: Number(median(rounds.map((round) => round.sdkDirectToPlain)).toFixed(3)),
            readFileToPlain: Number(median(rounds.map((round) => round.readFileToPlain)).toFixed(3)),
            sdkDirectToPlainFetch: Number(
              median(rounds.map((round) => round.sdkDirectToPlainFetch)).toFixed(3),
            ),
          },
          cpuSecondsPerGib: Object.fromEntries(
            names.map((name) => [
              name,
              Object.fromEntries(
                Object.entries(cpu[name]).map(([process, total]) => [
                  process,
                  Number((total / gib).toFixed(2)),
                ]),
              ),
            ]),
          ),
          intakePeakRssMib: mib(intake.peakRssBytes),
          intakeRssBeforeDownloadsMib: mib(idleIntake.rssBytes),
        },
        null,
        2,
      ),
    );
  } finally {
    uploads.close();
    downloads.close();
    client.close();
    s3.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
