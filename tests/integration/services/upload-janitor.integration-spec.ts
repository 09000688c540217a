import { randomBytes } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { startUploadStack, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the repository service aborts uploads left idle past UPLOAD_IDLE_TTL_MS', () => {
  let stack: UploadStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startUploadStack('janitor_service', {
      repositoryEnv: { UPLOAD_IDLE_TTL_MS: '2000', UPLOAD_JANITOR_INTERVAL_MS: '250' },
    });
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  });

  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  it('an abandoned upload becomes ABORTED and refuses chunks; one still being written stays open', async () => {
    const abandoned = await callUnary(client, rpc.initiateUpload, { name: 'left.bin', driveId: 'drive-j' });
    const busy = await callUnary(client, rpc.initiateUpload, { name: 'busy.bin', driveId: 'drive-j' });
    await callUnary(client, rpc.uploadChunk, {
      chunk: { uploadId: abandoned.uploadId, chunkNumber: 0n, data: randomBytes(10) },
    });

    const stateOf = async (uploadId: string) =>
      (await callUnary(client, rpc.getUploadStatus, { uploadId })).upload?.state;
    const deadline = Date.now() + 15_000;
    let chunkNumber = 0n;
    while ((await stateOf(abandoned.uploadId)) !== uploadV1.UploadState.ABORTED && Date.now() < deadline) {
      await callUnary(client, rpc.uploadChunk, {
        chunk: { uploadId: busy.uploadId, chunkNumber: chunkNumber++, data: randomBytes(10) },
      });
      await sleep(200);
    }

    expect(await stateOf(abandoned.uploadId)).toBe(uploadV1.UploadState.ABORTED);
    expect(await stateOf(busy.uploadId)).toBe(uploadV1.UploadState.IN_PROGRESS);
    await expect(
      callUnary(client, rpc.uploadChunk, {
        chunk: { uploadId: abandoned.uploadId, chunkNumber: 1n, data: randomBytes(10) },
      }),
    ).rejects.toMatchObject({ details: expect.stringContaining('ABORTED') });
  });
});
