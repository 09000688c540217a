import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { TesseraClient } from '@tessera/client';
import { createS3Client } from '@tessera/object-storage';
import { DeterministicFile, minioClientOptions, stackEndpoints } from '@tessera/testing';
import { startUploadStack, type UploadStack } from '../../tests/integration/services/service-process';
import { removeBucket } from './remove-bucket';

/**
 * The whole of Tessera as a deployment runs it — the three services with TiDB, Redis, Kafka, the
 * schema registry and tracing to Jaeger on — plus the SDK and a plain S3 client on the same MinIO.
 */
export interface BenchStack {
  stack: UploadStack;
  client: TesseraClient;
  s3: S3Client;
  bucket: string;
  workDir: string;
  stop(): Promise<void>;
}

/** "A=1 B=2" as { A: '1', B: '2' }. */
function settingsOf(pairs: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (pairs ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** `cpuProfileDir`: each service writes a V8 CPU profile there when it stops (node --cpu-prof). */
export async function startBenchStack(
  name: string,
  {
    cpuProfileDir,
    intakeEnv = {},
  }: { cpuProfileDir?: string | undefined; intakeEnv?: Record<string, string> } = {},
): Promise<BenchStack> {
  const traced = {
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_ENDPOINT: stackEndpoints().jaeger.otlpGrpc,
  };
  const stack = await startUploadStack(name, {
    // e.g. BENCH_REPOSITORY_ENV="GROUP_COMMIT_BYTES=0" to measure the repository service without a feature
    repositoryEnv: { ...traced, ...settingsOf(process.env['BENCH_REPOSITORY_ENV']) },
    intakeEnv: { ...traced, ...intakeEnv },
    metadataEnv: traced,
    nodeArgs: [
      ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []),
      // e.g. BENCH_SERVICE_NODE_ARGS="--max-semi-space-size=64" to try V8 settings on the services
      ...(process.env['BENCH_SERVICE_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
    ],
  });
  const client = new TesseraClient(stack.intakeAddress);
  const s3 = createS3Client(minioClientOptions(3));
  const workDir = await mkdtemp(join(tmpdir(), `tessera-${name}-`));
  return {
    stack,
    client,
    s3,
    bucket: stack.bucket,
    workDir,
    async stop() {
      client.close();
      await stack.stop();
      await removeBucket(s3, stack.bucket).catch((error: unknown) =>
        console.error(`bucket ${stack.bucket} not removed: ${String(error)}`),
      );
      s3.destroy();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Writes a reproducible incompressible file of `bytes` into `dir`; returns its path and SHA-256. */
export async function writeBenchFile(dir: string, bytes: number): Promise<{ path: string; sha256: string }> {
  const file = new DeterministicFile(bytes, 8 * 1024 * 1024);
  const path = join(dir, `bench-${bytes}.bin`);
  const out = createWriteStream(path);
  for (let index = 0; index < file.chunkCount; index++) {
    if (!out.write(file.chunk(index))) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return { path, sha256: file.sha256() };
}

export const MiB = 1024 * 1024;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

export const mibPerSecond = (bytes: number, seconds: number) => bytes / MiB / seconds;
