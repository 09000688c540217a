import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Client, Metadata } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc-client';
import { IntegrityError } from './client-errors';
import { retryWhileUnavailable } from './retry-policy';

const rpc = uploadV1.UploadService.method;

/** The server's one-call size (GetLimits), asked once per client; 0 when it offers none. */
export class OneCallLimit {
  private asked: Promise<number> | undefined;

  constructor(private readonly uploads: Client) {}

  maxBytes(metadata: Metadata): Promise<number> {
    this.asked ??= callUnary(this.uploads, rpc.getLimits, {}, { metadata }).then(
      ({ limits }) => Number(limits?.maxOneCallFileBytes ?? 0n),
      () => {
        // An older server, or none reachable yet: chunks this time, and ask again next time.
        this.asked = undefined;
        return 0;
      },
    );
    return this.asked;
  }
}

export interface OneCallUpload {
  uploads: Client;
  metadata: Metadata;
  path: string;
  name: string;
  driveId: string;
  maxRetries: number;
}

/**
 * Reads a small file and sends it whole in one UploadFile call with its SHA-256; the key makes
 * sending it again after a lost answer safe.
 */
export async function uploadInOneCall(upload: OneCallUpload): Promise<uploadV1.UploadFileResponse> {
  const data = await readFile(upload.path);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const request = { name: upload.name, driveId: upload.driveId, idempotencyKey: randomUUID(), data, sha256 };
  const stored = await retryWhileUnavailable(
    () => callUnary(upload.uploads, rpc.uploadFile, request, { metadata: upload.metadata }),
    upload.maxRetries,
  );
  const node = stored.node!;
  if (node.sha256 !== sha256)
    throw new IntegrityError(`node ${node.nodeId} has SHA-256 ${node.sha256}, the bytes sent ${sha256}`);
  return stored;
}
