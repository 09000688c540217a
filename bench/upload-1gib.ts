/**
 * Uploads a large file (1 GiB by default) through the public gRPC API, checks the object in MinIO is
 * byte-identical (SHA-256), and reports each service's peak RSS. In the same run it uploads the
 * same bytes straight to MinIO with a plain S3 multipart upload, so throughput is a ratio measured
 * under the same load. Needs `make stack-up` and `make build`; run with `make bench-upload`.
 *
 *   npx tsx bench/upload-1gib.ts [--size-mib 1024] [--chunk-mib 8] [--streams 4]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Client } from '@grpc/grpc-js';
import { metadataV1, uploadV1 } from '@tessera/contracts';
import { callClientStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { createS3Client } from '@tessera/object-storage';
import { DeterministicFile, minioClientOptions } from '@tessera/testing';
import { startUploadStack } from '../tests/integration/services/service-process';

import { mib, processMemory } from './lib/process-memory';

const MiB = 1024 * 1024;
const rpc = uploadV1.UploadService.method;

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'chunk-mib': { type: 'string', default: '8' },
    streams: { type: 'string', default: '4' },
  },
});
const file = new DeterministicFile(Number(args['size-mib']) * MiB, Number(args['chunk-mib']) * MiB);
const streams = Number(args.streams);

/** Chunk indexes dealt round-robin to `streams` lanes. */
function lanes(): number[][] {
  const result: number[][] = Array.from({ length: streams }, () => []);
  for (let index = 0; index < file.chunkCount; index++) result[index % streams]!.push(index);
  return result;
}

interface TesseraUpload {
  seconds: number;
  /** Of which CompleteUpload: the server reads the object back to verify its SHA-256. */
  completeSeconds: number;
  node: metadataV1.Node;
}

async function uploadThroughTessera(client: Client): Promise<TesseraUpload> {
  const started = performance.now();
  const { uploadId } = await callUnary(client, rpc.initiateUpload, {
    name: `bench-${Date.now()}.bin`,
    driveId: 'bench',
  });
  await Promise.all(
    lanes().map(async (indexes) => {
      async function* chunks() {
        for (const index of indexes) {
          yield { chunk: { uploadId, chunkNumber: BigInt(index), data: file.chunk(index) } };
        }
      }
      const { results } = await callClientStream(client, rpc.uploadChunks, chunks());
      const refused = results.filter((result) => result.code !== 0);
      if (refused.length > 0) throw new Error(`chunks refused: ${JSON.stringify(refused.slice(0, 3))}`);
    }),
  );
  const completing = performance.now();
  const completed = await callUnary(client, rpc.completeUpload, {
    uploadId,
    totalChunks: BigInt(file.chunkCount),
    sha256: expectedSha256,
  });
  const now = performance.now();
  return {
    seconds: (now - started) / 1000,
    completeSeconds: (now - completing) / 1000,
    node: completed.node!,
  };
}

async function uploadStraightToS3(s3: S3Client, bucket: string): Promise<number> {
  const started = performance.now();
  const Key = `raw-${Date.now()}.bin`;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
  const parts: { ETag: string; PartNumber: number }[] = [];
  await Promise.all(
    lanes().map(async (indexes) => {
      for (const index of indexes) {
        const PartNumber = index + 1;
        const Body = file.chunk(index);
        const { ETag } = await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber, Body }),
        );
        parts.push({ ETag: ETag!, PartNumber });
      }
    }),
  );
  parts.sort((a, b) => a.PartNumber - b.PartNumber);
  await s3.send(
    new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
  );
  return (performance.now() - started) / 1000;
}

async function sha256OfObject(s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const piece of Body as AsyncIterable<Uint8Array>) hash.update(piece);
  return hash.digest('hex');
}

const expectedSha256 = file.sha256();

async function main(): Promise<void> {
  const stack = await startUploadStack('bench_upload');
  const client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
    'grpc.max_send_message_length': -1,
  });
  const s3 = createS3Client(minioClientOptions(3));
  try {
    const before = {
      repository: await processMemory(stack.pids.repository),
      intake: await processMemory(stack.pids.intake),
    };
    const tessera = await uploadThroughTessera(client);
    const after = {
      repository: await processMemory(stack.pids.repository),
      intake: await processMemory(stack.pids.intake),
    };
    const stored = await sha256OfObject(s3, tessera.node.location!.bucket, tessera.node.location!.key);
    const raw = await uploadStraightToS3(s3, stack.bucket);
    const sizeMib = file.sizeBytes / MiB;
    const report = {
      sizeMib,
      chunkMib: file.chunkBytes / MiB,
      streams,
      sha256: { expected: expectedSha256, server: tessera.node.sha256, stored },
      byteIdentical: stored === expectedSha256 && tessera.node.sha256 === expectedSha256,
      tessera: {
        seconds: tessera.seconds,
        completeSeconds: tessera.completeSeconds,
        mibPerSecond: sizeMib / tessera.seconds,
      },
      rawS3: { seconds: raw, mibPerSecond: sizeMib / raw },
      tesseraToRawThroughput: raw / tessera.seconds,
      peakRssMib: { repository: mib(after.repository.peakRssBytes), intake: mib(after.intake.peakRssBytes) },
      idleRssMib: { repository: mib(before.repository.rssBytes), intake: mib(before.intake.rssBytes) },
    };
    console.log(JSON.stringify(report, null, 2));
    if (!report.byteIdentical) process.exitCode = 1;
  } finally {
    client.close();
    s3.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
