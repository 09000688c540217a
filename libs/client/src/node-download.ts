import { status, type Client, type Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Writable } from 'node:stream';
import { downloadV1, metadataV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc-client';
import { traceContextOf } from './client-spans';
import { DirectDownloadError, readPresignedRanges } from './presigned-ranged-download';
import type { Transfer } from './chunk-transfer';
import { readRanges, type DownloadOptions } from './ranged-download';
import { retryWhileUnavailable } from './retry-policy';

const TRANSFERS: readonly Transfer[] = ['auto', 'direct', 'streamed'];
/** GetDownloadUrl answers that say "not from this server": `auto` reads streamed instead. */
const DIRECT_REFUSED = new Set<number>([
  status.UNIMPLEMENTED,
  status.FAILED_PRECONDITION,
  status.PERMISSION_DENIED,
]);

export interface NodeRead {
  downloads: Client;
  nodes: Client;
  metadata: Metadata;
  nodeId: string;
  sink: Writable | undefined;
  /** The global fetch unless given (tests). */
  fetch?: typeof fetch | undefined;
}

export interface NodeReadResult {
  node: metadataV1.Node;
  bytes: number;
  sha256: string;
  /** How the bytes came: from S3 with presigned ranged GETs, or through the gateway's ReadFile. */
  transfer: 'direct' | 'streamed';
  /** `auto` only: why the direct transfer was not used. */
  directFailure?: string;
}

/** Reads a node over the transfer the options ask for (docs: DownloadOptions.transfer). */
export async function readNode(read: NodeRead, options: DownloadOptions): Promise<NodeReadResult> {
  const transfer = options.transfer ?? 'streamed';
  if (!TRANSFERS.includes(transfer))
    throw new RangeError(`transfer must be auto, direct or streamed, got ${String(transfer)}`);
  if (transfer === 'streamed') return readStreamed(read, await getNode(read, options), options);
  let presigned: downloadV1.GetDownloadUrlResponse;
  try {
    presigned = await getDownloadUrl(read, options, options.version);
  } catch (error) {
    const code = (error as ServiceError).code;
    if (transfer === 'direct' || !DIRECT_REFUSED.has(code)) throw error;
    const streamed = await readStreamed(read, await getNode(read, options), options);
    return { ...streamed, directFailure: `GetDownloadUrl: ${(error as Error).message}` };
  }
  const node = presigned.node!;
  try {
    const renewUrl = async () => (await getDownloadUrl(read, options, Number(node.version))).url;
    const presignedRead = {
      node,
      url: presigned.url,
      renewUrl,
      sink: read.sink,
      fetch: read.fetch,
      trace: traceContextOf(read.metadata),
    };
    return { node, transfer: 'direct', ...(await readPresignedRanges(presignedRead, options)) };
  } catch (error) {
    if (transfer === 'direct' || !(error instanceof DirectDownloadError)) throw error;
    return { ...(await readStreamed(read, node, options)), directFailure: error.message };
  }
}

async function readStreamed(
  read: NodeRead,
  node: metadataV1.Node,
  options: DownloadOptions,
): Promise<NodeReadResult> {
  const ranged = { client: read.downloads, metadata: read.metadata, node, sink: read.sink };
  return { node, transfer: 'streamed', ...(await readRanges(ranged, options)) };
}

async function getNode(read: NodeRead, options: DownloadOptions): Promise<metadataV1.Node> {
  const request = { nodeId: read.nodeId, ...versionOf(options.version) };
  const { node } = await retryWhileUnavailable(
    () =>
      callUnary(read.nodes, metadataV1.MetadataService.method.getNode, request, { metadata: read.metadata }),
    options.maxRetries ?? 5,
  );
  return node!;
}

function getDownloadUrl(read: NodeRead, options: DownloadOptions, version: number | undefined) {
  const request = {
    nodeId: read.nodeId,
    ...versionOf(version),
    ...(options.urlTtlSeconds !== undefined && { ttlSeconds: options.urlTtlSeconds }),
  };
  return retryWhileUnavailable(
    () =>
      callUnary(read.downloads, downloadV1.DownloadService.method.getDownloadUrl, request, {
        metadata: read.metadata,
      }),
    options.maxRetries ?? 5,
  );
}

const versionOf = (version: number | undefined) =>
  version === undefined ? {} : { version: BigInt(version) };
