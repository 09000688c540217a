import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { ChunkRefusedError, ResumeError, TesseraClient, type RefusedChunk } from '@tessera/client';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { createProxy, stackEndpoints, type Proxy } from '@tessera/testing';
import { collect } from './collect-bytes';
import { startUploadStack, type UploadStack } from './service-process';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('the @tessera/client SDK against the services', () => {
  let stack: UploadStack;
  let intakeProxy: Proxy;
  let client: TesseraClient;
  let dir: string;

  beforeAll(async () => {
    stack = await startUploadStack('client_sdk', { intakeEnv: { MAX_CHUNK_BYTES: String(4 * MiB) } });
    intakeProxy = await createProxy(
      stackEndpoints().toxiproxy.url,
      `client_sdk_${Date.now()}`,
      stack.intakeAddress,
    );
    client = new TesseraClient(`127.0.0.1:${intakeProxy.port}`);
    dir = await mkdtemp(join(tmpdir(), 'tessera-sdk-'));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await intakeProxy?.remove();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, bytes: Buffer): Promise<string> {
    await writeFile(join(dir, name), bytes);
    return join(dir, name);
  }

  it('uploads a file over parallel streams and reads it back whole, by range and by version, in parallel', async () => {
    const first = randomBytes(5 * MiB + 7);
    const uploaded = await client.upload(await file('parallel.bin', first), {
      name: 'parallel.bin',
      chunkBytes: 256 * KiB,
      streams: 4,
    });
    expect(uploaded.node.size).toBe(BigInt(first.length));
    const whole = await collect((sink) =>
      client.download(uploaded.node.nodeId, sink, { parallelism: 3, rangeBytes: 1 * MiB }),
    );
    expect(whole.equals(first)).toBe(true);
    const range = await collect((sink) =>
      client.download(uploaded.node.nodeId, sink, {
        offset: 1_000_000,
        length: 2_500_000,
        rangeBytes: 1 * MiB,
      }),
    );
    expect(range.equals(first.subarray(1_000_000, 3_500_000))).toBe(true);

    const second = randomBytes(300 * KiB);
    const overwritten = await client.upload(await file('parallel-2.bin', second), { name: 'parallel.bin' });
    expect(overwritten.node.version).toBe(2n);
    const versionOne = await collect((sink) => client.download(uploaded.node.nodeId, sink, { version: 1 }));
    expect(versionOne.equals(first)).toBe(true);
    expect((await client.listVersions(uploaded.node.nodeId)).map((node) => node.version)).toEqual([2n, 1n]);
    await expect(
      client.download(uploaded.node.nodeId, undefined, { offset: second.length + 1 }),
    ).rejects.toThrow(/offset must be within the file/);
  });

  it('uploads a byte stream in pieces of any size, cut into chunks in order, and checks its SHA-256', async () => {
    const bytes = randomBytes(1 * MiB + 12_345);
    async function* pieces() {
      for (let offset = 0, size = 1; offset < bytes.length; offset += size, size = (size * 7 + 13) % 200_000)
        yield bytes.subarray(offset, offset + size);
    }
    const progress: (number | undefined)[] = [];
    const uploaded = await client.upload(pieces(), {
      name: 'streamed.bin',
      chunkBytes: 256 * KiB,
      onProgress: (_done, total) => progress.push(total),
    });
    expect(uploaded.bytes).toBe(bytes.length);
    expect(uploaded.node.size).toBe(BigInt(bytes.length));
    expect(progress.length).toBe(5); // four whole chunks and the rest; the total is not known ahead
    expect(progress.every((total) => total === undefined)).toBe(true);
    const read = await collect((sink) => client.download(uploaded.node.nodeId, sink));
    expect(read.equals(bytes)).toBe(true);
  });

  it('resumes an upload from GetUploadStatus, sending only the chunks the server lacks', async () => {
    const bytes = randomBytes(2 * MiB);
    const path = await file('resume.bin', bytes);
    const raw = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    const { uploadId } = await callUnary(raw, uploadV1.UploadService.method.initiateUpload, {
      name: 'resume.bin',
      driveId: 'default',
    });
    for (const chunk of [0, 2, 5]) {
      const data = bytes.subarray(chunk * 256 * KiB, (chunk + 1) * 256 * KiB);
      await callUnary(raw, uploadV1.UploadService.method.uploadChunk, {
        chunk: { uploadId, chunkNumber: BigInt(chunk), data },
      });
    }
    const sent: number[] = [];
    const result = await client.upload(path, {
      name: 'resume.bin',
      chunkBytes: 256 * KiB,
      resumeUploadId: uploadId,
      onProgress: (done) => sent.push(done),
    });
    expect(result).toMatchObject({ uploadId, chunksResumed: 3, bytes: bytes.length });
    expect(sent[0]).toBe(4 * 256 * KiB); // the first progress report counts the three stored chunks
    const back = await collect((sink) => client.download(result.node.nodeId, sink));
    expect(back.equals(bytes)).toBe(true);
    // Resumed once it completed (its answer lost): the version recorded, nothing sent again.
    const again = await client.upload(path, {
      name: 'resume.bin',
      chunkBytes: 256 * KiB,
      resumeUploadId: uploadId,
    });
    expect(again.node).toEqual(result.node);
    const aborted = await callUnary(raw, uploadV1.UploadService.method.initiateUpload, {
      name: 'aborted.bin',
      driveId: 'default',
    });
    await callUnary(raw, uploadV1.UploadService.method.abortUpload, { uploadId: aborted.uploadId });
    await expect(
      client.upload(path, { name: 'aborted.bin', chunkBytes: 256 * KiB, resumeUploadId: aborted.uploadId }),
    ).rejects.toThrow(ResumeError);
    raw.close();
  });

  /** GetUploadStatus calls the gateway has answered so far. */
  async function statusCalls(): Promise<number> {
    const text = await (await fetch(`${stack.intakeHttpUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (row) =>
          row.startsWith('rpc_server_call_duration_seconds_count{') && row.includes('/GetUploadStatus"'),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('carries on when the connection to the gateway drops mid-upload: sends again what got no answer, without asking the status', async () => {
    const statusCallsBefore = await statusCalls();
    const bytes = randomBytes(12 * MiB);
    const retries: RefusedChunk[][] = [];
    let cut = false;
    const result = await client.upload(await file('dropped.bin', bytes), {
      name: 'dropped.bin',
      chunkBytes: 512 * KiB,
      streams: 2,
      onProgress: (done) => {
        if (cut || done < 4 * MiB) return;
        cut = true;
        void intakeProxy
          .setEnabled(false)
          .then(() => setTimeout(() => void intakeProxy.setEnabled(true), 1500));
      },
      onRetry: (refused) => retries.push(refused),
    });
    expect(cut).toBe(true);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]!.every((chunk) => chunk.code === status.UNAVAILABLE)).toBe(true);
    // StreamChunks answered each stored chunk as it was stored: no GetUploadStatus round trip.
    expect(await statusCalls()).toBe(statusCallsBefore);
    const back = await collect((sink) => client.download(result.node.nodeId, sink));
    expect(back.equals(bytes)).toBe(true);
  }, 60_000);

  it('raises typed errors: a chunk over the server’s limit, an unknown node', async () => {
    const path = await file('too-big.bin', randomBytes(5 * MiB));
    const refused = client.upload(path, { name: 'too-big.bin', chunkBytes: 5 * MiB });
    await expect(refused).rejects.toBeInstanceOf(ChunkRefusedError);
    await expect(refused).rejects.toMatchObject({ chunkNumber: 0, code: status.INVALID_ARGUMENT });
    await expect(client.getNode('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('lists, reads and deletes nodes through the gateway (the metadata API on the public port)', async () => {
    const uploaded = await client.upload(await file('listed.bin', randomBytes(10 * KiB)), {
      name: 'listed.bin',
      driveId: 'sdk-listing',
    });
    const page = await client.listNodes('sdk-listing');
    expect(page.nodes.map((node) => node.name)).toEqual(['listed.bin']);
    expect((await client.getNode(uploaded.node.nodeId)).sha256).toBe(uploaded.sha256);
    await client.deleteNode(uploaded.node.nodeId);
    expect((await client.listNodes('sdk-listing')).nodes).toEqual([]);
    await expect(client.listNodes('')).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: /drive_id/,
    });
  });
});
