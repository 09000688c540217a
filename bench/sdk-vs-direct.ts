/**
 * Issue 9, benchmarks 1 and 2: a file uploaded and downloaded through Tessera end to end (SDK →
 * intake → repository → MinIO, with TiDB, Redis, Kafka and tracing on) against the same file
 * uploaded with `@aws-sdk/lib-storage` and downloaded with parallel ranged GETs, straight to the same
 * MinIO, alternating within each round. Reports medians and their ratios.
 *
 *   npx tsx bench/sdk-vs-direct.ts [--size-mib 1024] [--rounds 3] [--streams 4] [--chunk-mib 8]
 *                                  [--parallel 4] [--range-mib 16] [--cpu-prof <dir>]
 *
 * With --cpu-prof, each service writes a V8 CPU profile into <dir> when the run ends; summarise
 * them with `npx tsx bench/cpu-profile-summary.ts <dir>/*.cpuprofile`.
 */
import { parseArgs } from 'node:util';
import { Writable } from 'node:stream';
import { MiB, median, mibPerSecond, startBenchStack, writeBenchFile } from './lib/bench-stack';
import { downloadWithRangedGets, uploadWithLibStorage } from './lib/direct-s3';
import { describeCpu, findProcess, meterCpu } from './lib/process-cpu';

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    streams: { type: 'string', default: '4' },
    'chunk-mib': { type: 'string', default: '8' },
    parallel: { type: 'string', default: '4' },
    'range-mib': { type: 'string', default: '16' },
    'cpu-prof': { type: 'string' },
  },
});
const size = Number(args['size-mib']) * MiB;
const chunkBytes = Number(args['chunk-mib']) * MiB;
const streams = Number(args.streams);
const parallelism = Number(args.parallel);
const rangeBytes = Number(args['range-mib']) * MiB;
const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

async function main(): Promise<void> {
  const bench = await startBenchStack('bench_sdk_direct', { cpuProfileDir: args['cpu-prof'] });
  try {
    const file = await writeBenchFile(bench.workDir, size);
    const seconds = {
      tesseraUp: [] as number[],
      directUp: [] as number[],
      tesseraDown: [] as number[],
      directDown: [] as number[],
    };
    const pids = {
      client: process.pid,
      ...bench.stack.pids,
      minio: (await findProcess('minio'))!,
      tidb: (await findProcess('tidb-server'))!,
    };
    console.error(`pids: ${JSON.stringify(pids)}`);
    // Where the CPU of each flow goes: every process of the path, and the machine as a whole.
    const metered = async <T>(flow: string, run: () => Promise<T>): Promise<T> => {
      const stop = await meterCpu(pids);
      const result = await run();
      console.error(`  ${flow}: ${describeCpu(await stop())}`);
      return result;
    };
    for (let round = 1; round <= Number(args.rounds); round++) {
      const up = await metered('Tessera upload', () =>
        bench.client.upload(file.path, { name: `bench-${round}.bin`, chunkBytes, streams }),
      );
      if (up.sha256 !== file.sha256) throw new Error('the uploaded node is not the file');
      seconds.tesseraUp.push(up.seconds);
      seconds.directUp.push(
        await metered('direct upload', () =>
          uploadWithLibStorage(bench.s3, bench.bucket, file.path, {
            partBytes: chunkBytes,
            queueSize: streams,
          }),
        ),
      );
      const down = await metered('Tessera download', () =>
        bench.client.download(up.node.nodeId, discard(), { parallelism, rangeBytes }),
      );
      seconds.tesseraDown.push(down.seconds);
      const location = up.node.location!;
      const direct = await metered('direct download', () =>
        downloadWithRangedGets(bench.s3, location.bucket, location.key, size, { rangeBytes, parallelism }),
      );
      if (direct.sha256 !== file.sha256 || down.sha256 !== file.sha256)
        throw new Error('a download is not the file');
      seconds.directDown.push(direct.seconds);
      console.error(
        `round ${round}: upload ${up.seconds.toFixed(2)} s vs ${seconds.directUp.at(-1)!.toFixed(2)} s, download ${down.seconds.toFixed(2)} s vs ${direct.seconds.toFixed(2)} s`,
      );
    }
    const rate = (values: number[]) => mibPerSecond(size, median(values));
    const row = (what: string, tessera: number[], direct: number[]) =>
      `| ${what} | ${rate(tessera).toFixed(1)} MiB/s | ${rate(direct).toFixed(1)} MiB/s | ${(rate(tessera) / rate(direct)).toFixed(2)} |`;
    console.log(
      `${size / MiB} MiB, ${args.rounds} rounds (medians); ${streams} streams of ${chunkBytes / MiB} MiB chunks, ${parallelism} × ${rangeBytes / MiB} MiB reads`,
    );
    console.log('| flow | Tessera (SDK, all services, tracing on) | direct to MinIO | Tessera ÷ direct |');
    console.log('| --- | --- | --- | --- |');
    console.log(row('upload (direct: @aws-sdk/lib-storage)', seconds.tesseraUp, seconds.directUp));
    console.log(row('download (direct: parallel ranged GETs)', seconds.tesseraDown, seconds.directDown));
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
