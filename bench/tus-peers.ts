/**
 * Issue 9, benchmark 3: Tessera against the tus peers on the same MinIO with the same file: the
 * `@tus/server` + `@tus/s3-store` pair from npm and tusd (Go, built by `scripts/stack/install.sh
 * tusd`), each uploaded to with tus-js-client in one PATCH request (the servers upload S3 parts of
 * the same size concurrently), and Tessera through the SDK with 1 and with 4 chunk streams.
 *
 *   npx tsx bench/tus-peers.ts [--size-mib 1024] [--rounds 3] [--chunk-mib 8]
 */
import { parseArgs } from 'node:util';
import { MiB, median, mibPerSecond, startBenchStack, writeBenchFile } from './lib/bench-stack';
import { startTusPeers, uploadWithTus, type TusPeer } from './lib/tus-peers';

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    'chunk-mib': { type: 'string', default: '8' },
  },
});
const size = Number(args['size-mib']) * MiB;
const chunkBytes = Number(args['chunk-mib']) * MiB;

async function main(): Promise<void> {
  const bench = await startBenchStack('bench_tus_peers');
  const peers: TusPeer[] = [];
  try {
    // Started inside the try: a peer that fails to start (tusd not built) must not leave the services running.
    await startTusPeers(bench.bucket, chunkBytes, peers);
    const file = await writeBenchFile(bench.workDir, size);
    const runs: Record<string, () => Promise<number>> = {
      'Tessera, 4 streams': async () =>
        (await bench.client.upload(file.path, { name: `t4-${Date.now()}.bin`, chunkBytes, streams: 4 }))
          .seconds,
      'Tessera, 1 stream': async () =>
        (await bench.client.upload(file.path, { name: `t1-${Date.now()}.bin`, chunkBytes, streams: 1 }))
          .seconds,
      ...Object.fromEntries(
        peers.map((peer) => [peer.name, () => uploadWithTus(peer.endpoint, file.path, size)]),
      ),
    };
    const seconds: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
    for (let round = 1; round <= Number(args.rounds); round++) {
      for (const [name, run] of Object.entries(runs)) seconds[name]!.push(await run());
      console.error(
        `round ${round}: ${Object.entries(seconds)
          .map(([name, s]) => `${name} ${s.at(-1)!.toFixed(2)} s`)
          .join(', ')}`,
      );
    }
    const tessera = mibPerSecond(size, median(seconds['Tessera, 4 streams']!));
    console.log(
      `${size / MiB} MiB upload, ${args.rounds} rounds (medians), ${chunkBytes / MiB} MiB chunks / S3 parts`,
    );
    console.log('| uploader | throughput | Tessera (4 streams) ÷ it |');
    console.log('| --- | --- | --- |');
    for (const [name, values] of Object.entries(seconds)) {
      const rate = mibPerSecond(size, median(values));
      console.log(`| ${name} | ${rate.toFixed(1)} MiB/s | ${(tessera / rate).toFixed(2)} |`);
    }
  } finally {
    for (const peer of peers) await peer.stop();
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
