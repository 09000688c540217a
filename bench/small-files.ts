/**
 * Issue 9, benchmark 4: many small files. Uploads N files of 4 KiB through the SDK one after the
 * other, from a path in one call (UploadFile) and as a byte stream in chunks (InitiateUpload, one
 * chunk, CompleteUpload), and reads each back (GetNode, ReadFile), with
 * everything on (TiDB, Redis, Kafka, tracing); in the same run the same files go straight to MinIO
 * (PutObject, GetObject). Reports p50/p95/p99 of each round trip.
 *
 *   npx tsx bench/small-files.ts [--files 1000] [--size-kib 4]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { percentile, startBenchStack } from './lib/bench-stack';

const { values: args } = parseArgs({
  options: { files: { type: 'string', default: '1000' }, 'size-kib': { type: 'string', default: '4' } },
});
const files = Number(args.files);
const size = Number(args['size-kib']) * 1024;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const bench = await startBenchStack('bench_small_files');
  const dir = await mkdtemp(join(tmpdir(), 'bench-small-files-'));
  try {
    const ms: Record<string, number[]> = {
      'Tessera upload, one call (SDK, a path)': [],
      'Tessera upload, chunked (SDK, a byte stream)': [],
      'Tessera download': [],
      'MinIO PutObject': [],
      'MinIO GetObject': [],
    };
    for (let index = 0; index < files; index++) {
      const bytes = randomBytes(size);
      const path = join(dir, `small-${index}.bin`);
      await writeFile(path, bytes);
      let nodeId = '';
      ms['Tessera upload, one call (SDK, a path)']!.push(
        await timed(async () => {
          nodeId = (await bench.client.upload(path, { name: `small-${index}.bin`, driveId: 'small' })).node
            .nodeId;
        }),
      );
      ms['Tessera upload, chunked (SDK, a byte stream)']!.push(
        await timed(() => bench.client.upload([bytes], { name: `chunked-${index}.bin`, driveId: 'small' })),
      );
      ms['Tessera download']!.push(await timed(() => bench.client.download(nodeId)));
      const Key = `direct/small-${index}.bin`;
      ms['MinIO PutObject']!.push(
        await timed(() => bench.s3.send(new PutObjectCommand({ Bucket: bench.bucket, Key, Body: bytes }))),
      );
      ms['MinIO GetObject']!.push(
        await timed(async () => {
          const response = await bench.s3.send(new GetObjectCommand({ Bucket: bench.bucket, Key }));
          await response.Body!.transformToByteArray();
        }),
      );
      if ((index + 1) % 100 === 0) console.error(`${index + 1} files`);
    }
    console.log(`${files} files of ${size / 1024} KiB, one at a time (round trip, ms)`);
    console.log('| call | p50 | p95 | p99 |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, values] of Object.entries(ms)) {
      const cells = [0.5, 0.95, 0.99].map((share) => percentile(values, share).toFixed(1));
      console.log(`| ${name} | ${cells.join(' | ')} |`);
    }
  } finally {
    await bench.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
