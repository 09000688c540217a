import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DirectDownloadError, TesseraClient, type UploadResult } from '@tessera/client';
import { downloadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { createProxy, stackEndpoints, type Proxy } from '@tessera/testing';
import { collect } from './collect-bytes';
import { REPO_ROOT, startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;

async function tessera(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [
      join(REPO_ROOT, 'tools/cli/bin/tessera.js'),
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

/**
 * Direct downloads: presigned ranged GETs straight from MinIO, which clients reach through a proxy
 * (the gateway's S3_PUBLIC_ENDPOINT) that the tests can cut, while the services reach MinIO directly.
 */
describe('direct downloads (presigned ranged GETs) against the services and MinIO', () => {
  let stack: UploadStack;
  let publicS3: Proxy;
  let client: TesseraClient;
  let dir: string;
  let bytes: Buffer;
  let uploaded: UploadResult;

  beforeAll(async () => {
    const { toxiproxy, minio } = stackEndpoints();
    publicS3 = await createProxy(
      toxiproxy.url,
      `direct_download_${Date.now()}`,
      new URL(minio.endpoint).host,
    );
    stack = await startUploadStack('direct_download', {
      intakeEnv: { S3_PUBLIC_ENDPOINT: `http://127.0.0.1:${publicS3.port}` },
    });
    client = new TesseraClient(stack.intakeAddress);
    dir = await mkdtemp(join(tmpdir(), 'tessera-direct-download-'));
    bytes = randomBytes(24 * MiB);
    await writeFile(join(dir, 'three-parts.bin'), bytes);
    uploaded = await client.upload(join(dir, 'three-parts.bin'), {
      name: 'three-parts.bin',
      chunkBytes: 8 * MiB,
    });
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    await publicS3?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a file of three 8 MiB parts byte-identical with its SHA-256, and a byte range', async () => {
    expect(uploaded.node.location!.partSizes).toEqual([8n * BigInt(MiB), 8n * BigInt(MiB), 8n * BigInt(MiB)]);
    let result: Awaited<ReturnType<TesseraClient['download']>> | undefined;
    const whole = await collect(async (sink) => {
      result = await client.download(uploaded.node.nodeId, sink, {
        transfer: 'direct',
        rangeBytes: 16 * MiB,
      });
    });
    expect(whole.equals(bytes)).toBe(true);
    expect(result).toMatchObject({ transfer: 'direct', bytes: bytes.length, sha256: uploaded.sha256 });
    const range = await collect((sink) =>
      client.download(uploaded.node.nodeId, sink, {
        transfer: 'direct',
        offset: 5 * MiB + 3,
        length: 10 * MiB,
        rangeBytes: 4 * MiB,
      }),
    );
    expect(range.equals(bytes.subarray(5 * MiB + 3, 15 * MiB + 3))).toBe(true);
  });

  it('renews a URL that expired mid-download once, and goes on', async () => {
    // What the SDK recognises: MinIO refuses an expired presigned GET with 403 "Request has expired".
    const downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
    const { url } = await callUnary(downloads, downloadV1.DownloadService.method.getDownloadUrl, {
      nodeId: uploaded.node.nodeId,
      ttlSeconds: 1,
    });
    downloads.close();
    await sleep(2500);
    const refused = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/Request has expired/);

    // One GET at a time; the first write takes 2.5 s, so the third GET starts after the URL expired.
    let firstWrite = true;
    const pieces: Buffer[] = [];
    const slowSink = new Writable({
      highWaterMark: 1,
      write(piece: Buffer, _encoding, done) {
        pieces.push(piece);
        if (firstWrite) setTimeout(done, 2500);
        else done();
        firstWrite = false;
      },
    });
    const result = await client.download(uploaded.node.nodeId, slowSink, {
      transfer: 'direct',
      urlTtlSeconds: 1,
      parallelism: 1,
      rangeBytes: 8 * MiB,
    });
    expect(result.sha256).toBe(uploaded.sha256);
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
  }, 30_000);

  it('auto reads streamed when the S3 endpoint does not answer; direct fails before writing', async () => {
    await publicS3.setEnabled(false);
    try {
      let result: Awaited<ReturnType<TesseraClient['download']>> | undefined;
      const read = await collect(async (sink) => {
        result = await client.download(uploaded.node.nodeId, sink, { transfer: 'auto' });
      });
      expect(read.equals(bytes)).toBe(true);
      expect(result).toMatchObject({ transfer: 'streamed', sha256: uploaded.sha256 });
      expect(result!.directFailure).toMatch(/failed before any byte was written/);
      expect(result!.directFailure).not.toMatch(/X-Amz-Signature/); // the URL is a credential

      const sink = new PassThrough();
      let written = 0;
      sink.on('data', (piece: Buffer) => (written += piece.length));
      await expect(client.download(uploaded.node.nodeId, sink, { transfer: 'direct' })).rejects.toThrow(
        DirectDownloadError,
      );
      expect(written).toBe(0);
    } finally {
      await publicS3.setEnabled(true);
    }
    const auto = await client.download(uploaded.node.nodeId, undefined, { transfer: 'auto' });
    expect(auto).toMatchObject({ transfer: 'direct', sha256: uploaded.sha256 });
  });

  it('tessera download --direct --json reads it direct; a bad --transfer is refused naming the flag', async () => {
    const output = join(dir, 'cli-out.bin');
    const run = await tessera(
      'download',
      uploaded.node.nodeId,
      '-o',
      output,
      '--address',
      stack.intakeAddress,
      '--direct',
      '--json',
    );
    expect(run).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({
      transfer: 'direct',
      bytes: bytes.length,
      sha256: uploaded.sha256,
    });
    expect((await readFile(output)).equals(bytes)).toBe(true);

    const bad = await tessera('download', uploaded.node.nodeId, '-o', output, '--transfer', 'sideways');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--transfer must be one of auto, direct, streamed, got sideways/);
  });
});
