import { createHash, randomUUID } from 'node:crypto';
import { S3DirectParts } from '@tessera/object-storage';
import { TidbDirectChunks } from '../adapters/tidb/tidb-direct-chunks';
import { DirectChunks, type PresignedChunk } from '../domain/chunks/direct-chunks';
import { MultipartUploads } from '../domain/chunks/multipart-uploads';
import { ObjectAssembler } from '../domain/completion/object-assembler';
import { UploadCompleter } from '../domain/completion/upload-completer';
import { UploadSessions } from '../domain/uploads/upload-sessions';
import type { RealStack } from './real-stack.fixture';
import { initiating, testUpload } from './uploads.fixture';

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A chunk planned for `data`. */
export const plan = (chunkNumber: number, data: Uint8Array) => ({
  chunkNumber,
  size: data.length,
  sha256: sha256(data),
});

/** The client's PUT of a presigned chunk: the HTTP status. */
export async function put(chunk: PresignedChunk, body: Uint8Array): Promise<number> {
  if (chunk.stored) throw new Error(`chunk ${chunk.chunkNumber} needs no PUT`);
  return (await fetch(chunk.url, { method: 'PUT', body, headers: chunk.headers })).status;
}

/** The repository's direct-upload domain over the real stack, as bootstrap wires it. */
export function directUploadsOn(stack: RealStack) {
  const { uploads, objects, nodes } = stack;
  const direct = new DirectChunks(
    new TidbDirectChunks(stack.pool),
    uploads,
    new S3DirectParts(stack.s3, stack.s3, objects.bucket),
    new MultipartUploads(uploads, objects),
    { defaultTtlSeconds: 300, maxTtlSeconds: 3600, maxChunksPerCall: 100 },
  );
  const assembler = new ObjectAssembler(objects, { stagingPrefix: '.staging/', concurrency: 4 });
  const changes = { versionWritten: async () => undefined, nodeChanged: async () => undefined };
  const completer = new UploadCompleter(uploads, nodes, objects, assembler, changes, undefined, direct);
  const sessions = new UploadSessions(
    uploads,
    nodes,
    objects,
    { objectKeyTemplate: '{drive_id}/{node_id}', stagingPrefix: '.staging/' },
    direct,
  );
  return {
    direct,
    completer,
    sessions,
    async newUpload(): Promise<{ uploadId: string; nodeId: string }> {
      const name = `f-${randomUUID()}.bin`;
      const nodeId = await nodes.resolveNodeId('d1', name, randomUUID());
      const upload = testUpload({ nodeId, name });
      await uploads.createUpload(...initiating(upload));
      return { uploadId: upload.uploadId, nodeId };
    },
    presign: (uploadId: string, chunks: ReturnType<typeof plan>[], totalChunks?: number, force = false) =>
      direct.presign({ uploadId, chunks, totalChunks, force, ttlSeconds: undefined }),
  };
}
