/**
 * Tracing overhead: two copies of the services on the same stack, one exporting every span to
 * Jaeger (the default sampler, every trace) and one with tracing off. Each round uploads a
 * file through each (1 stream, 8 MiB chunks) and reads it back with ReadFile, alternating which
 * copy goes first; the report compares the medians. Needs the stack and a build; run with
 * `make bench-tracing`.
 *
 *   npx tsx bench/tracing-overhead.ts [--size-mib 256] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import type { Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import { createGrpcClient } from '@tessera/grpc';
import { DeterministicFile, stackEndpoints } from '@tessera/testing';
import { startUploadStack, type UploadStack } from '../tests/integration/services/service-process';
import { downloadFile, uploadFile } from './lib/tessera-client';

const MiB = 1024 * 1024;
const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '256' },
    rounds: { type: 'string', default: '5' },
  },
});
const file = new DeterministicFile(Number(args['size-mib']) * MiB, 8 * MiB);
const expected = file.sha256();

interface Copy {
  name: 'traced' | 'untraced';
  stack: UploadStack;
  uploads: Client;
  downloads: Client;
  uploadSeconds: number[];
  downloadSeconds: number[];
}

async function startCopy(name: Copy['name']): Promise<Copy> {
  const env = {
    OTEL_SDK_DISABLED: String(name !== 'traced'),
    OTEL_EXPORTER_OTLP_ENDPOINT: stackEndpoints().jaeger.otlpGrpc,
  };
  const stack = await startUploadStack(`bench_${name}`, {
    repositoryEnv: env,
    metadataEnv: env,
    intakeEnv: env,
  });
  return {
    name,
    stack,
    uploads: createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
      'grpc.max_send_message_length': -1,
    }),
    downloads: createGrpcClient(downloadV1.DownloadService, stack.intakeAddress),
    uploadSeconds: [],
    downloadSeconds: [],
  };
}

async function round(copy: Copy, index: number): Promise<void> {
  const { node, seconds } = await uploadFile(copy.uploads, file, `overhead-${index}.bin`);
  const read = await downloadFile(copy.downloads, node.nodeId);
  if (node.sha256 !== expected || read.sha256 !== expected) throw new Error(`${copy.name}: bytes differ`);
  copy.uploadSeconds.push(seconds);
  copy.downloadSeconds.push(read.seconds);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const copies = [await startCopy('traced'), await startCopy('untraced')];
  try {
    for (let index = 0; index < Number(args.rounds); index++) {
      const order = index % 2 === 0 ? copies : [...copies].reverse();
      for (const copy of order) await round(copy, index);
    }
    const [traced, untraced] = copies as [Copy, Copy];
    const summary = (copy: Copy) => ({
      uploadSeconds: copy.uploadSeconds.map((s) => Number(s.toFixed(2))),
      downloadSeconds: copy.downloadSeconds.map((s) => Number(s.toFixed(2))),
      medianUploadSeconds: median(copy.uploadSeconds),
      medianDownloadSeconds: median(copy.downloadSeconds),
    });
    const overhead = (on: number[], off: number[]) =>
      Number(((median(on) / median(off) - 1) * 100).toFixed(1));
    console.log(
      JSON.stringify(
        {
          sizeMib: file.sizeBytes / MiB,
          rounds: Number(args.rounds),
          traced: summary(traced),
          untraced: summary(untraced),
          uploadOverheadPercent: overhead(traced.uploadSeconds, untraced.uploadSeconds),
          downloadOverheadPercent: overhead(traced.downloadSeconds, untraced.downloadSeconds),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const copy of copies) {
      copy.uploads.close();
      copy.downloads.close();
      await copy.stack.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
