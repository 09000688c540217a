import { randomBytes } from 'node:crypto';
import { Metadata, type Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import { callClientStream, callServerStream, callUnary } from '@tessera/grpc';

/** A new W3C trace for one client operation: its id and the metadata that carries it. */
export function newTrace(): { traceId: string; metadata: Metadata } {
  const traceId = randomBytes(16).toString('hex');
  const metadata = new Metadata();
  metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
  return { traceId, metadata };
}

/** Uploads `data` in chunks of `chunkBytes` on one stream, in its own trace; returns node and trace. */
export async function tracedUpload(client: Client, data: Buffer, chunkBytes: number, name: string) {
  const { traceId, metadata } = newTrace();
  const rpc = uploadV1.UploadService.method;
  const { uploadId } = await callUnary(client, rpc.initiateUpload, { name, driveId: 'lab' }, { metadata });
  const chunks = Math.ceil(data.length / chunkBytes);
  const messages = Array.from({ length: chunks }, (_, n) => ({
    chunk: { uploadId, chunkNumber: BigInt(n), data: data.subarray(n * chunkBytes, (n + 1) * chunkBytes) },
  }));
  const { results } = await callClientStream(client, rpc.uploadChunks, messages, { metadata });
  const refused = results.find((result) => result.code !== 0);
  if (refused) throw new Error(`chunk ${refused.chunkNumber} refused: ${refused.message}`);
  const { node } = await callUnary(
    client,
    rpc.completeUpload,
    { uploadId, totalChunks: BigInt(chunks) },
    { metadata },
  );
  return { nodeId: node!.nodeId, traceId };
}

/** Reads the node with ReadFile in its own trace; returns how many bytes came and the trace. */
export async function tracedDownload(client: Client, nodeId: string) {
  const { traceId, metadata } = newTrace();
  let bytes = 0;
  const read = callServerStream(client, downloadV1.DownloadService.method.readFile, { nodeId }, { metadata });
  for await (const message of read) bytes += message.data.length;
  return { bytes, traceId };
}
