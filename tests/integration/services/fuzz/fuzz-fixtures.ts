import { createHash } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc';
import type { SeededRandom } from './seeded-random';

const rpc = uploadV1.UploadService.method;
const MiB = 1024 * 1024;

/** Real uploads and nodes the cases aim at, so hostile values reach past the id checks. */
export interface FuzzFixtures {
  driveId: string;
  /** Open uploads that cases send chunks to, and never complete or abort. */
  chunkUploads: string[];
  /** Open uploads (chunk 0 stored) that cases may complete, abort, or send chunks to. */
  expendableUploads: string[];
  /** Stored nodes cases read: a small file, a 3 MiB file (for reads cancelled midway), an empty one. */
  readableNodes: string[];
  /** Stored nodes cases may delete. */
  deletableNodes: string[];
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function openUpload(client: Client, driveId: string, name: string): Promise<string> {
  return (await callUnary(client, rpc.initiateUpload, { name, driveId })).uploadId;
}

async function storeFile(client: Client, driveId: string, name: string, data: Buffer): Promise<string> {
  const uploadId = await openUpload(client, driveId, name);
  if (data.length > 0) {
    await callUnary(client, rpc.uploadChunk, { chunk: { uploadId, chunkNumber: 0n, data } });
  }
  const { node } = await callUnary(client, rpc.completeUpload, { uploadId, sha256: sha256(data) });
  return node!.nodeId;
}

/** Creates the fixtures through the public API (a few seconds). */
export async function createFuzzFixtures(client: Client, random: SeededRandom): Promise<FuzzFixtures> {
  const driveId = 'drive-fuzz';
  const chunkUploads: string[] = [];
  for (let i = 0; i < 8; i++) chunkUploads.push(await openUpload(client, driveId, `chunks-${i}.bin`));
  const expendableUploads: string[] = [];
  for (let i = 0; i < 6; i++) {
    const uploadId = await openUpload(client, driveId, `expendable-${i}.bin`);
    await callUnary(client, rpc.uploadChunk, {
      chunk: { uploadId, chunkNumber: 0n, data: random.bytes(100) },
    });
    expendableUploads.push(uploadId);
  }
  const readableNodes = [
    await storeFile(client, driveId, 'small.bin', random.bytes(1000)),
    await storeFile(client, driveId, 'three-mib.bin', random.bytes(3 * MiB)),
    await storeFile(client, driveId, 'empty.bin', Buffer.alloc(0)),
  ];
  const deletableNodes = [
    await storeFile(client, driveId, 'deletable-1.bin', random.bytes(10)),
    await storeFile(client, driveId, 'deletable-2.bin', random.bytes(10)),
  ];
  return { driveId, chunkUploads, expendableUploads, readableNodes, deletableNodes };
}
