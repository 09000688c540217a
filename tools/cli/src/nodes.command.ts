import { parseArgs } from 'node:util';
import { TesseraClient } from '@tessera/client';
import { uploadV1, type metadataV1 } from '@tessera/contracts';
import { positive, print, UsageError, type ClientDefaults } from './cli-args';

/** Commands over the public API that print what the server knows: status, ls, versions, rm. */

function parse(args: string[], defaults: ClientDefaults, what: string) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      address: { type: 'string', default: defaults.address },
      drive: { type: 'string', default: 'default' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  return {
    values,
    positionals,
    usage: (count: number) => {
      if (positionals.length !== count)
        throw new UsageError(`${what} takes ${count === 1 ? 'one argument' : 'no argument'}`);
    },
  };
}

async function withClient<T>(address: string, run: (client: TesseraClient) => Promise<T>): Promise<T> {
  const client = new TesseraClient(address);
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

const nodeJson = (node: metadataV1.Node) => ({
  nodeId: node.nodeId,
  driveId: node.driveId,
  name: node.name,
  version: Number(node.version),
  size: Number(node.size),
  sha256: node.sha256,
  updatedAt: node.updatedAt ? new Date(Number(node.updatedAt.seconds) * 1000).toISOString() : undefined,
});

/** `node-id  version  size  updated  name`, one node per line. */
export function nodeLine(node: metadataV1.Node): string {
  const { nodeId, version, size, updatedAt, name } = nodeJson(node);
  return [nodeId, `v${version}`, String(size).padStart(12), updatedAt ?? '-', name].join('  ');
}

const ranges = (list: uploadV1.ChunkRange[]) =>
  list
    .map((range) => (range.first === range.last ? `${range.first}` : `${range.first}-${range.last}`))
    .join(',') || '-';

/** `tessera status <upload-id>`: the upload's state and which chunks the server has. */
export async function runStatus(args: string[], defaults: ClientDefaults): Promise<void> {
  const { values, positionals, usage } = parse(args, defaults, 'status');
  usage(1);
  const status = await withClient(values.address, (client) => client.uploadStatus(positionals[0]!));
  const upload = status.upload!;
  const state = uploadV1.UploadState[upload.state];
  if (values.json) {
    print(
      JSON.stringify({
        uploadId: upload.uploadId,
        nodeId: upload.nodeId,
        name: upload.name,
        state,
        received: status.received.map((r) => [Number(r.first), Number(r.last)]),
        missing: status.missing.map((r) => [Number(r.first), Number(r.last)]),
        receivedBytes: Number(status.receivedBytes),
      }),
    );
    return;
  }
  print(`upload ${upload.uploadId} of ${upload.name} (node ${upload.nodeId}): ${state}`);
  print(
    `received chunks ${ranges(status.received)} (${status.receivedBytes} bytes); missing ${ranges(status.missing)}`,
  );
}

/** `tessera ls [--drive d]`: the drive's nodes, page after page. */
export async function runList(args: string[], defaults: ClientDefaults): Promise<void> {
  const { values, usage } = parse(args, defaults, 'ls');
  usage(0);
  const limit = positive('limit', values.limit) ?? Infinity;
  await withClient(values.address, async (client) => {
    let shown = 0;
    let token = '';
    do {
      const page = await client.listNodes(values.drive, token);
      for (const node of page.nodes) {
        if (shown++ >= limit) return;
        print(values.json ? JSON.stringify(nodeJson(node)) : nodeLine(node));
      }
      token = page.nextPageToken;
    } while (token !== '');
  });
}

/** `tessera versions <node-id>`: every version of a node, newest first. */
export async function runVersions(args: string[], defaults: ClientDefaults): Promise<void> {
  const { values, positionals, usage } = parse(args, defaults, 'versions');
  usage(1);
  const versions = await withClient(values.address, (client) => client.listVersions(positionals[0]!));
  for (const node of versions) print(values.json ? JSON.stringify(nodeJson(node)) : nodeLine(node));
}

/** `tessera rm <node-id>`: deletes a node, every version of it. */
export async function runRemove(args: string[], defaults: ClientDefaults): Promise<void> {
  const { values, positionals, usage } = parse(args, defaults, 'rm');
  usage(1);
  await withClient(values.address, (client) => client.deleteNode(positionals[0]!));
  print(values.json ? JSON.stringify({ deleted: positionals[0] }) : `deleted node ${positionals[0]}`);
}
