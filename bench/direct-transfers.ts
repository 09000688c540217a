/**
 * Issue 19: a file uploaded straight to MinIO through Tessera (the SDK's `transfer: 'direct'`:
 * PresignChunks, a PUT per chunk, CompleteUpload), against `@aws-sdk/lib-storage` with the same
 * part size and concurrency, the tus peers and Tessera's streamed path, alternating within each
 * round on the same MinIO. Reports median speeds, their ratios, and each process's CPU-seconds
 * per GiB (median over rounds); the services' sum is the figure to hold under 0.3.
 *
 *   npx tsx bench/direct-transfers.ts [--size-mib 1024] [--rounds 3] [--chunk-mib 8] [--streams 4]
 */
import { parseArgs } from 'node:util';
import { MiB, median, mibPerSecond, startBenchStack, writeBenchFile } from './lib/bench-stack';
import { uploadWithLibStorage } from './lib/direct-s3';
import { meterCpu, pathPids } from './lib/process-cpu';
import { startTusPeers, uploadWithTus, type TusPeer } from './lib/tus-peers';

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    'chunk-mib': { type: 'string', default: '8' },
    streams: { type: 'string', default: '4' },
  },
});
const size = Number(args['size-mib']) * MiB;
const chunkBytes = Number(args['chunk-mib']) * MiB;
const streams = Number(args.streams);
const GiB = 1024 * MiB;
const SERVICES = ['intake', 'repository', 'metadata'];

async function main(): Promise<void> {
  const bench = await startBenchStack('bench_direct');
  const peers: TusPeer[] = [];
  try {
    const { tusNode, tusd } = await startTusPeers(bench.bucket, chunkBytes, peers);
    const pids = await pathPids(bench.stack.pids, peers);
    const file = await writeBenchFile(bench.workDir, size);
    const tessera = (transfer: 'direct' | 'streamed') => async () => {
      const result = await bench.client.upload(file.path, {
        name: `${transfer}-${Date.now()}.bin`,
        chunkBytes,
        streams,
        transfer,
      });
      if (result.sha256 !== file.sha256 || result.transfer !== transfer)
        throw new Error(`the ${transfer} upload is not the file, or went ${result.transfer}`);
      return result.seconds;
    };
    const flows: Record<string, () => Promise<number>> = {
      'Tessera direct': tessera('direct'),
      'lib-storage': () =>
        uploadWithLibStorage(bench.s3, bench.bucket, file.path, {
          partBytes: chunkBytes,
          queueSize: streams,
        }),
      'Tessera streamed': tessera('streamed'),
      '@tus/server': () => uploadWithTus(tusNode.endpoint, file.path, size),
      tusd: () => uploadWithTus(tusd.endpoint, file.path, size),
    };
    const seconds: Record<string, number[]> = {};
    const cpu: Record<string, Record<string, number[]>> = {};
    for (let round = 1; round <= Number(args.rounds); round++) {
      for (const [flow, run] of Object.entries(flows)) {
        const stop = await meterCpu(pids);
        (seconds[flow] ??= []).push(await run());
        const use = await stop();
        for (const [name, { total }] of Object.entries(use.processes))
          ((cpu[flow] ??= {})[name] ??= []).push((total * GiB) / size);
      }
      console.error(
        `round ${round}: ${Object.entries(seconds)
          .map(([flow, s]) => `${flow} ${s.at(-1)!.toFixed(2)} s`)
          .join(', ')}`,
      );
    }
    print(seconds, cpu, Object.keys(pids));
  } finally {
    for (const peer of peers) await peer.stop();
    await bench.stop();
  }
}

function print(
  seconds: Record<string, number[]>,
  cpu: Record<string, Record<string, number[]>>,
  processes: string[],
) {
  const rate = (flow: string) => mibPerSecond(size, median(seconds[flow]!));
  console.log(
    `${size / MiB} MiB upload, ${args.rounds} rounds (medians), ${chunkBytes / MiB} MiB parts, ${streams} at once; CPU-s per GiB`,
  );
  console.log(`| flow | MiB/s | Tessera direct ÷ it | ${processes.join(' | ')} | services |`);
  console.log(`| --- | --- | --- | ${processes.map(() => '---').join(' | ')} | --- |`);
  for (const flow of Object.keys(seconds)) {
    const perProcess = processes.map((name) => median(cpu[flow]![name]!));
    const services = SERVICES.reduce((sum, name) => sum + median(cpu[flow]![name] ?? [0]), 0);
    console.log(
      `| ${flow} | ${rate(flow).toFixed(1)} | ${(rate('Tessera direct') / rate(flow)).toFixed(2)} | ${perProcess.map((v) => v.toFixed(2)).join(' | ')} | ${services.toFixed(2)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
