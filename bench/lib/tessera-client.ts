import { createHash } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1, type metadataV1 } from '@tessera/contracts';
import { callClientStream, callServerStream, callUnary } from '@tessera/grpc';
import type { DeterministicFile } from '@tessera/testing';

const rpc = uploadV1.UploadService.method;

/** Uploads the file on one UploadChunks stream and completes it; returns the node and the time taken. */
export async function uploadFile(
  client: Client,
  file: DeterministicFile,
  name: string,
): Promise<{ node: metadataV1.Node; seconds: number }> {
  const started = performance.now();
  const { uploadId } = await callUnary(client, rpc.initiateUpload, { name, driveId: 'bench' });
  async function* chunks() {
    for (let index = 0; index < file.chunkCount; index++) {
      yield { chunk: { uploadId, chunkNumber: BigInt(index), data: file.chunk(index) } };
    }
  }
  const { results } = await callClientStream(client, rpc.uploadChunks, chunks());
  const refused = results.filter((result) => result.code !== 0);
  if (refused.length > 0) throw new Error(`chunks refused: ${JSON.stringify(refused.slice(0, 3))}`);
  const { node } = await callUnary(client, rpc.completeUpload, { uploadId });
  return { node: node!, seconds: (performance.now() - started) / 1000 };
}

/** Reads the node through ReadFile, hashing it; returns the SHA-256 and the time taken. */
export async function downloadFile(
  client: Client,
  nodeId: string,
): Promise<{ sha256: string; seconds: number }> {
  const started = performance.now();
  const hash = createHash('sha256');
  for await (const message of callServerStream(client, downloadV1.DownloadService.method.readFile, {
    nodeId,
  })) {
    hash.update(message.data);
  }
  return { sha256: hash.digest('hex'), seconds: (performance.now() - started) / 1000 };
}
