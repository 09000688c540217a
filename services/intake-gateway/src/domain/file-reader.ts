import { TesseraError } from '@tessera/errors';
import type { NodeVersion } from '@tessera/nodes';
import type { NodeLookup, ObjectReader } from './file-source.port';
import { planReads, requestedRange, type ByteRange } from './read-plan';

export interface FileReaderOptions {
  /** Ranged reads in flight per download. */
  parallelism: number;
  /** Largest ranged read. Memory per download is bounded by parallelism × readBytes. */
  readBytes: number;
  /** Largest piece a read is handed on in (a ReadFile message's data). */
  pieceBytes: number;
  /** Lifetime of a download URL when the client names none, and the longest allowed. */
  urlTtlSeconds: { default: number; max: number };
}

export interface FileRead {
  node: NodeVersion;
  range: ByteRange;
  /** The range's bytes in order, each piece with its position in the file. */
  pieces: AsyncIterable<{ offset: number; data: Uint8Array }>;
}

/**
 * Runs tasks with up to `parallelism` in flight and yields their results in order. A task starts
 * only when the consumer has taken an earlier result, so a slow consumer slows the tasks down.
 */
export async function* inOrder<T>(tasks: (() => Promise<T>)[], parallelism: number): AsyncIterable<T> {
  const running: Promise<T>[] = [];
  let next = 0;
  const start = () => {
    const task = tasks[next++]!();
    task.catch(() => undefined); // awaited in turn below; this only keeps a later failure from being "unhandled"
    running.push(task);
  };
  while (next < tasks.length && running.length < parallelism) start();
  while (running.length > 0) {
    const value = await running.shift()!;
    if (next < tasks.length) start();
    yield value;
  }
}

async function* piecesOf(
  reads: AsyncIterable<{ offset: number; pieces: Uint8Array[] }>,
): AsyncIterable<{ offset: number; data: Uint8Array }> {
  for await (const { offset, pieces } of reads) {
    let at = offset;
    for (const data of pieces) {
      yield { offset: at, data };
      at += data.length;
    }
  }
}

/** Downloads: metadata first, then parallel ranged reads aligned to the object's parts, in order. */
export class FileReader {
  constructor(
    private readonly nodes: NodeLookup,
    private readonly objects: ObjectReader,
    private readonly options: FileReaderOptions,
  ) {}

  async read(nodeId: string, version?: number, offset?: number, length?: number): Promise<FileRead> {
    const node = await this.node(nodeId, version);
    const range = requestedRange(node.size, offset, length);
    return { node, range, pieces: this.pieces(node, range) };
  }

  /** The node version a read would serve: NOT_FOUND when there is none. */
  node(nodeId: string, version?: number): Promise<NodeVersion> {
    return this.nodes.getNode(nodeId, version);
  }

  /** The bytes of a range of the node's stored version (within its size), in order. */
  pieces(node: NodeVersion, range: ByteRange): AsyncIterable<{ offset: number; data: Uint8Array }> {
    const reads = planReads(node.partSizes, node.size, range, this.options.readBytes);
    const tasks = reads.map((read) => async () => ({
      offset: read.offset,
      pieces: await this.objects.readRange(node, read, this.options.pieceBytes),
    }));
    return piecesOf(inOrder(tasks, this.options.parallelism));
  }

  /** A presigned URL of the node's stored version; ttlSeconds within (0, max], the default when unset. */
  async downloadUrl(nodeId: string, version: number | undefined, ttlSeconds: number | undefined) {
    const { max } = this.options.urlTtlSeconds;
    const ttl = ttlSeconds ?? this.options.urlTtlSeconds.default;
    if (ttl < 1 || ttl > max)
      throw TesseraError.invalidArgument('ttl_seconds', `must be between 1 and ${max}`);
    const node = await this.node(nodeId, version);
    return { node, ttlSeconds: ttl, url: await this.objects.presignedUrl(node, ttl) };
  }
}
