import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { TesseraClient } from '@tessera/client';
import { positive, print, rate, transferOf, UsageError, wholeNumber, type ClientDefaults } from './cli-args';
import { progressLine, type ProgressLine } from './progress-line';

const MiB = 1024 * 1024;

/** `tessera download <node-id> -o <path>`: reads a node (or a range, or a version) into a file. */
export async function runDownload(args: string[], defaults: ClientDefaults): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      address: { type: 'string', default: defaults.address },
      output: { type: 'string', short: 'o' },
      version: { type: 'string' },
      offset: { type: 'string' },
      length: { type: 'string' },
      parallel: { type: 'string', default: '4' },
      'range-mib': { type: 'string', default: '16' },
      transfer: { type: 'string' },
      direct: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('download takes one node id');
  if (!values.output) throw new UsageError('download needs --output <path>');
  const nodeId = positionals[0]!;
  const options = {
    ...optional('version', positive('version', values.version)),
    ...optional('offset', wholeNumber('offset', values.offset)),
    ...optional('length', wholeNumber('length', values.length)),
    transfer: transferOf(values.transfer, values.direct),
    parallelism: positive('parallel', values.parallel)!,
    rangeBytes: Math.round(positive('range-mib', values['range-mib'])! * MiB),
  };
  const client = new TesseraClient(values.address);
  const file = createWriteStream(values.output);
  let progress: ProgressLine | undefined; // made once the node's size is known
  try {
    const result = await client.download(nodeId, file, {
      ...options,
      onProgress: (bytes, total) => {
        progress ??= progressLine(`downloading ${nodeId}`, total);
        progress.update(bytes);
      },
    });
    file.end();
    await finished(file);
    progress?.finish();
    const { node, ...figures } = result;
    if (values.json) {
      print(JSON.stringify({ output: values.output, nodeId, version: Number(node.version), ...figures }));
    } else {
      print(
        `downloaded node ${nodeId} version ${node.version} to ${values.output} (${result.transfer}): ${result.bytes} bytes in ${result.seconds.toFixed(2)} s (${rate(result.bytes, result.seconds)})`,
      );
      if (result.directFailure) print(`not direct: ${result.directFailure}`);
      print(`sha256 ${result.sha256}  trace ${result.traceId}`);
    }
  } catch (error) {
    file.destroy();
    await rm(values.output, { force: true }); // no half-written file left behind
    throw error;
  } finally {
    progress?.finish();
    client.close();
  }
}

const optional = <K extends string>(key: K, value: number | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
