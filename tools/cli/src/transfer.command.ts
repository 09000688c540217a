import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { TesseraClient } from '@tessera/client';
import { positive, print, UsageError } from './cli-args';
import { progressLine } from './progress-line';

const MiB = 1024 * 1024;
const rate = (bytes: number, seconds: number) =>
  `${(bytes / MiB / Math.max(seconds, 1e-3)).toFixed(1)} MiB/s`;

/** `tessera upload <path>`: uploads a file on one chunk stream and prints the node it became. */
export async function runUpload(args: string[], defaultAddress: string): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      address: { type: 'string', default: defaultAddress },
      name: { type: 'string' },
      drive: { type: 'string', default: 'default' },
      'chunk-mib': { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('upload takes one file path');
  const path = positionals[0]!;
  const totalBytes = (await stat(path).catch(() => undefined))?.size;
  if (totalBytes === undefined) throw new UsageError(`no file at ${path}`);
  const chunkBytes = Math.round(positive('chunk-mib', values['chunk-mib'])! * MiB);
  const client = new TesseraClient(values.address);
  const progress = progressLine(`uploading ${basename(path)}`, totalBytes);
  try {
    const result = await client.upload(path, {
      name: values.name ?? basename(path),
      driveId: values.drive,
      chunkBytes,
      onProgress: (bytes) => progress.update(bytes),
      onRetry: (refused, waitMs) =>
        console.error(
          `${refused.length} chunk(s) refused for now (${refused[0]!.message}); sending them again in ${(waitMs / 1000).toFixed(1)} s`,
        ),
    });
    progress.finish();
    const { node } = result;
    if (values.json) {
      print(
        JSON.stringify({
          nodeId: node.nodeId,
          version: Number(node.version),
          bytes: result.bytes,
          sha256: result.sha256,
          traceId: result.traceId,
          seconds: result.seconds,
        }),
      );
    } else {
      print(
        `uploaded ${path}: node ${node.nodeId} version ${node.version}, ${result.bytes} bytes in ${result.seconds.toFixed(2)} s (${rate(result.bytes, result.seconds)})`,
      );
      print(`sha256 ${result.sha256}  trace ${result.traceId}`);
    }
  } finally {
    progress.finish();
    client.close();
  }
}

/** `tessera download <node-id> -o <path>`: reads a node's current version into a file. */
export async function runDownload(args: string[], defaultAddress: string): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      address: { type: 'string', default: defaultAddress },
      output: { type: 'string', short: 'o' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('download takes one node id');
  if (!values.output) throw new UsageError('download needs --output <path>');
  const client = new TesseraClient(values.address);
  const file = createWriteStream(values.output);
  const progress = progressLine(`downloading ${positionals[0]}`, undefined);
  try {
    const result = await client.download(positionals[0]!, file, (bytes) => progress.update(bytes));
    file.end();
    await finished(file);
    progress.finish();
    if (values.json) print(JSON.stringify({ output: values.output, ...result }));
    else {
      print(
        `downloaded node ${positionals[0]} to ${values.output}: ${result.bytes} bytes in ${result.seconds.toFixed(2)} s (${rate(result.bytes, result.seconds)})`,
      );
      print(`sha256 ${result.sha256}  trace ${result.traceId}`);
    }
  } catch (error) {
    file.destroy();
    await rm(values.output, { force: true }); // no half-written file left behind
    throw error;
  } finally {
    progress.finish();
    client.close();
  }
}
