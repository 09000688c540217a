/**
 * Downloads a large file (1 GiB by default) through ReadFile and, in the same run, reads the same
 * S3 object with plain parallel ranged GETs (@aws-sdk/client-s3, same parallelism and range size,
 * reassembled in order) — the baseline. Both are hashed and must match the uploaded file. Reports
 * throughput of each, their ratio, and the intake gateway's peak RSS. Needs the stack and a build;
 * run with `make bench-download`.
 *
 *   npx tsx bench/download-1gib.ts [--size-mib 1024] [--rounds 2]
 */
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { downloadV1, uploadV1, type metadataV1 } from '@tessera/contracts';
import { createGrpcClient } from '@tessera/grpc';
import { createS3Client } from '@tessera/object-storage';
import { DeterministicFile, minioClientOptions } from '@tessera/testing';
import { startUploadStack } from '../tests/integration/services/service-process';
import { mib, processMemory } from './lib/process-memory';
import { downloadFile, uploadFile } from './lib/tessera-client';

const MiB = 1024 * 1024;
const PARALLELISM = 8;
const RANGE_BYTES = 8 * MiB;

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '2' },
  },
});
const file = new DeterministicFile(Number(args['size-mib']) * MiB, 8 * MiB);

/** The baseline: PARALLELISM ranged GETs of RANGE_BYTES in flight, hashed in order. */
async function plainRangedGets(s3: S3Client, node: metadataV1.Node) {
  const started = performance.now();
  const { bucket, key, versionId } = node.location!;
  const size = Number(node.size);
  const get = async (offset: number) => {
    const end = Math.min(size, offset + RANGE_BYTES) - 1;
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
  const hash = createHash('sha256');
  const running: Promise<Buffer>[] = [];
  let next = 0;
  const startNext = () => {
    running.push(get(next));
    next += RANGE_BYTES;
  };
  while (next < size && running.length < PARALLELISM) startNext();
  while (running.length > 0) {
    const data = await running.shift()!;
    if (next < size) startNext();
    hash.update(data);
  }
  return { seconds: (performance.now() - started) / 1000, sha256: hash.digest('hex') };
}

async function main(): Promise<void> {
  const expected = file.sha256();
  const stack = await startUploadStack('bench_download', {
    intakeEnv: { READ_PARALLELISM: String(PARALLELISM), READ_RANGE_BYTES: String(RANGE_BYTES) },
  });
  const uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
    'grpc.max_send_message_length': -1,
  });
  const downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
  const s3 = createS3Client(minioClientOptions(3));
  try {
    const { node } = await uploadFile(uploads, file, 'bench.bin');
    const idleIntake = await processMemory(stack.pids.intake);
    const sizeMib = file.sizeBytes / MiB;
    const rounds = [];
    for (let round = 0; round < Number(args.rounds); round++) {
      const tessera = await downloadFile(downloads, node.nodeId);
      const raw = await plainRangedGets(s3, node);
      if (tessera.sha256 !== expected || raw.sha256 !== expected)
        throw new Error('a download differs from the upload');
      rounds.push({
        tesseraMibPerSecond: sizeMib / tessera.seconds,
        rawMibPerSecond: sizeMib / raw.seconds,
        tesseraToRaw: raw.seconds / tessera.seconds,
      });
    }
    const intake = await processMemory(stack.pids.intake);
    console.log(
      JSON.stringify(
        {
          sizeMib,
          parallelism: PARALLELISM,
          rangeMib: RANGE_BYTES / MiB,
          byteIdentical: true,
          rounds,
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
    s3.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
