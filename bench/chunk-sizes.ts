/**
 * Issue 9, benchmark 5: upload throughput against chunk size. Uploads the same file through the SDK
 * (4 streams, everything on) with chunks of 64 KiB to 64 MiB, each size `--rounds` times, and
 * reports the median throughput per size.
 *
 *   npx tsx bench/chunk-sizes.ts [--size-mib 256] [--rounds 2] [--streams 4]
 */
import { parseArgs } from 'node:util';
import { MiB, median, mibPerSecond, startBenchStack, writeBenchFile } from './lib/bench-stack';

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '256' },
    rounds: { type: 'string', default: '2' },
    streams: { type: 'string', default: '4' },
  },
});
const size = Number(args['size-mib']) * MiB;
const chunkSizes = [64 * 1024, 256 * 1024, 1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB, 64 * MiB];
const label = (bytes: number) => (bytes < MiB ? `${bytes / 1024} KiB` : `${bytes / MiB} MiB`);

async function main(): Promise<void> {
  const bench = await startBenchStack('bench_chunk_sizes');
  try {
    const file = await writeBenchFile(bench.workDir, size);
    const seconds = new Map(chunkSizes.map((chunkBytes) => [chunkBytes, [] as number[]]));
    for (let round = 1; round <= Number(args.rounds); round++) {
      for (const chunkBytes of chunkSizes) {
        const result = await bench.client.upload(file.path, {
          name: `curve-${chunkBytes}-${round}.bin`,
          chunkBytes,
          streams: Number(args.streams),
        });
        seconds.get(chunkBytes)!.push(result.seconds);
        console.error(`round ${round}, ${label(chunkBytes)}: ${result.seconds.toFixed(2)} s`);
      }
    }
    console.log(`${size / MiB} MiB upload, ${args.streams} streams, ${args.rounds} rounds (medians)`);
    console.log('| chunk size | chunks | throughput |');
    console.log('| --- | --- | --- |');
    for (const [chunkBytes, values] of seconds) {
      console.log(
        `| ${label(chunkBytes)} | ${Math.ceil(size / chunkBytes)} | ${mibPerSecond(size, median(values)).toFixed(1)} MiB/s |`,
      );
    }
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
