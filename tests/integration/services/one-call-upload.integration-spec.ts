import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { status, type Client } from '@grpc/grpc-js';
import { TesseraClient } from '@tessera/client';
import { metadataV1, uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { startUploadStack, type UploadStack } from './service-process';

const KiB = 1024;
const ONE_CALL_BYTES = 64 * KiB;
const rpc = uploadV1.UploadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('small files in one call (UploadFile, PUT /write, the SDK)', () => {
  let stack: UploadStack;
  let uploads: Client;
  let nodes: Client;
  let sdk: TesseraClient;
  let dir: string;

  beforeAll(async () => {
    stack = await startUploadStack('one_call', {
      repositoryEnv: { MAX_ONE_CALL_FILE_BYTES: String(ONE_CALL_BYTES) },
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    nodes = createGrpcClient(metadataV1.MetadataService, stack.metadataAddress);
    sdk = new TesseraClient(stack.intakeAddress);
    dir = await mkdtemp(join(tmpdir(), 'tessera-one-call-'));
  }, 120_000);

  afterAll(async () => {
    uploads?.close();
    nodes?.close();
    sdk?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Chunks the upload stored: none for a file sent in one call. */
  async function storedChunks(uploadId: string) {
    const answer = await callUnary(uploads, rpc.getUploadStatus, { uploadId });
    return { state: answer.upload!.state, received: answer.received.length };
  }

  async function readBack(nodeId: string): Promise<Buffer> {
    const sink = new PassThrough();
    const pieces: Buffer[] = [];
    sink.on('data', (piece: Buffer) => pieces.push(piece));
    await sdk.download(nodeId, sink);
    return Buffer.concat(pieces);
  }

  it('advertises the one-call size and stores a file in one call, read back through the cache', async () => {
    const { limits } = await callUnary(uploads, rpc.getLimits, {});
    expect(limits!.maxOneCallFileBytes).toBe(BigInt(ONE_CALL_BYTES));
    const data = randomBytes(4 * KiB);
    const { node, uploadId } = await callUnary(uploads, rpc.uploadFile, {
      name: 'small.txt',
      driveId: 'one-call',
      mimeType: 'text/plain',
      userMetadata: { team: 'a' },
      data,
      sha256: sha256(data),
    });
    expect(node).toMatchObject({ name: 'small.txt', version: 1n, size: 4096n, sha256: sha256(data) });
    expect(await storedChunks(uploadId)).toEqual({ state: uploadV1.UploadState.COMPLETED, received: 0 });
    const read = await callUnary(nodes, metadataV1.MetadataService.method.getNode, { nodeId: node!.nodeId });
    expect(read).toMatchObject({ cacheHit: true, node: { version: 1n, userMetadata: { team: 'a' } } });
    expect((await readBack(node!.nodeId)).equals(data)).toBe(true);
  });

  it('answers a retry with the same idempotency key with the first version; a stale expected_version is ABORTED', async () => {
    const request = {
      name: `keyed-${randomUUID()}.txt`,
      driveId: 'one-call',
      idempotencyKey: randomUUID(),
      data: randomBytes(100),
    };
    const first = await callUnary(uploads, rpc.uploadFile, request);
    const again = await callUnary(uploads, rpc.uploadFile, request);
    expect(again.node).toEqual(first.node);
    expect(again.uploadId).toBe(first.uploadId);
    const second = await callUnary(uploads, rpc.uploadFile, {
      ...request,
      idempotencyKey: undefined,
      expectedVersion: 1n,
    });
    expect(second.node!.version).toBe(2n);
    await expect(
      callUnary(uploads, rpc.uploadFile, { ...request, idempotencyKey: undefined, expectedVersion: 1n }),
    ).rejects.toMatchObject({ code: status.ABORTED, details: expect.stringContaining('is at version 2') });
  });

  it('refuses, naming the field: a file over the one-call size, bytes that do not match, a bad drive', async () => {
    await expect(
      callUnary(uploads, rpc.uploadFile, {
        name: 'big.bin',
        driveId: 'one-call',
        data: randomBytes(ONE_CALL_BYTES + 1),
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^data: must be at most 65536 bytes/),
    });
    await expect(
      callUnary(uploads, rpc.uploadFile, {
        name: 'x.bin',
        driveId: 'one-call',
        data: randomBytes(10),
        sha256: sha256(randomBytes(10)),
      }),
    ).rejects.toMatchObject({ code: status.DATA_LOSS });
    await expect(
      callUnary(uploads, rpc.uploadFile, { name: 'x.bin', driveId: '', data: randomBytes(10) }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('drive_id') });
  });

  it('PUT /write stores a small body in one call and a larger one in chunks', async () => {
    const put = async (name: string, body: Buffer) => {
      const response = await fetch(`${stack.intakeHttpUrl}/write?name=${name}&drive_id=one-call`, {
        method: 'PUT',
        body,
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { upload_id: string; sha256: string; size: number };
    };
    const small = randomBytes(ONE_CALL_BYTES);
    const whole = await put('put-small.bin', small);
    expect(whole).toMatchObject({ size: small.length, sha256: sha256(small) });
    expect((await storedChunks(whole.upload_id)).received).toBe(0);
    const large = randomBytes(ONE_CALL_BYTES + 1);
    const chunked = await put('put-large.bin', large);
    expect(chunked).toMatchObject({ size: large.length, sha256: sha256(large) });
    expect((await storedChunks(chunked.upload_id)).received).toBe(1);
  });

  it('the SDK sends a file up to the one-call size in one call, unless told not to', async () => {
    const path = join(dir, 'sdk-small.bin');
    const data = randomBytes(10 * KiB);
    await writeFile(path, data);
    const progress: number[] = [];
    const oneCall = await sdk.upload(path, {
      name: 'sdk-small.bin',
      onProgress: (done) => progress.push(done),
    });
    expect(oneCall).toMatchObject({ bytes: data.length, sha256: sha256(data), chunksResumed: 0 });
    expect((await storedChunks(oneCall.uploadId)).received).toBe(0);
    expect(progress).toEqual([data.length]);
    const chunked = await sdk.upload(path, { name: 'sdk-small.bin', oneCall: false });
    expect(chunked.node.version).toBe(2n);
    expect((await storedChunks(chunked.uploadId)).received).toBe(1);
  });
});
