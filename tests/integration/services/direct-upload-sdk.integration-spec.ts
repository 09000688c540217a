import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@tessera/object-storage';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DirectTransferUnavailableError, TesseraClient } from '@tessera/client';
import { metadataV1 } from '@tessera/contracts';
import {
  createProxy,
  DeterministicFile,
  minioClientOptions,
  stackEndpoints,
  type Proxy,
} from '@tessera/testing';
import { collect } from './collect-bytes';
import { REPO_ROOT, startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const CLI = join(REPO_ROOT, 'tools/cli/bin/tessera.js');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The SDK and CLI uploading with `transfer: direct | auto`. Clients reach MinIO through a proxy of
 * their own, the repository's S3_PUBLIC_ENDPOINT, so S3 can be out of the clients' reach while the
 * services still reach it.
 */
describe('direct uploads from the SDK and the CLI, S3 signed for a public endpoint', () => {
  let stack: UploadStack;
  let publicS3: Proxy;
  let client: TesseraClient;
  let dir: string;

  beforeAll(async () => {
    publicS3 = await createProxy(
      stackEndpoints().toxiproxy.url,
      `direct_sdk_s3_${Date.now()}`,
      new URL(stackEndpoints().minio.endpoint).host,
    );
    stack = await startUploadStack('direct_sdk', {
      repositoryEnv: { S3_PUBLIC_ENDPOINT: `http://127.0.0.1:${publicS3.port}` },
    });
    client = new TesseraClient(stack.intakeAddress);
    dir = await mkdtemp(join(tmpdir(), 'tessera-direct-'));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    await publicS3?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, bytes: Buffer): Promise<string> {
    await writeFile(join(dir, name), bytes);
    return join(dir, name);
  }

  const readBack = (nodeId: string) => collect((sink) => client.download(nodeId, sink));

  it("uploads straight to S3: byte for byte, the client's SHA-256 recorded with each part's", async () => {
    const bytes = randomBytes(17 * MiB);
    const result = await client.upload(await file('direct.bin', bytes), {
      name: 'direct.bin',
      transfer: 'direct',
      chunkBytes: 8 * MiB,
    });
    expect(result.transfer).toBe('direct');
    expect(result.node).toMatchObject({
      size: BigInt(bytes.length),
      sha256: sha256(bytes),
      sha256VerifiedBy: metadataV1.Sha256VerifiedBy.CLIENT,
    });
    expect(result.node.location!.partSha256).toEqual([
      sha256(bytes.subarray(0, 8 * MiB)),
      sha256(bytes.subarray(8 * MiB, 16 * MiB)),
      sha256(bytes.subarray(16 * MiB)),
    ]);
    expect((await readBack(result.node.nodeId)).equals(bytes)).toBe(true);

    // Counted apart from streamed chunks: three parts, none through the chunk writer.
    const metrics = await (await fetch(`${stack.repositoryHttpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_direct_parts_total(\{[^}]*\})? 3$/m);
    expect(metrics).toMatch(
      new RegExp(`^tessera_direct_uploaded_bytes_total(\\{[^}]*\\})? ${17 * MiB}$`, 'm'),
    );
    expect(metrics).toMatch(/^tessera_direct_part_urls_total(\{[^}]*\})? 3$/m);
    expect(metrics).not.toMatch(/^tessera_uploaded_bytes_total/m);
  });

  it('uploads 1 GiB straight to S3, byte for byte in MinIO and through ReadFile', async () => {
    const file = new DeterministicFile(1024 * MiB, 8 * MiB);
    const path = join(dir, 'one-gib.bin');
    const out = createWriteStream(path);
    for (let index = 0; index < file.chunkCount; index++)
      if (!out.write(file.chunk(index))) await once(out, 'drain');
    out.end();
    await finished(out);
    const expected = file.sha256();

    const result = await client.upload(path, {
      name: 'one-gib.bin',
      transfer: 'direct',
      chunkBytes: 16 * MiB,
    });
    await rm(path);
    expect(result).toMatchObject({ transfer: 'direct', sha256: expected, bytes: 1024 * MiB });
    const { bucket, key, versionId } = result.node.location!;
    const s3 = createS3Client(minioClientOptions(2));
    try {
      const stored = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId || undefined }),
      );
      expect(await sha256Of(stored.Body as AsyncIterable<Uint8Array>)).toBe(expected);
    } finally {
      s3.destroy();
    }
    const read = createHash('sha256');
    const sink = new Writable({ write: (piece: Buffer, _encoding, done) => done(void read.update(piece)) });
    const downloaded = await client.download(result.node.nodeId, sink, { transfer: 'streamed' });
    expect(downloaded).toMatchObject({ transfer: 'streamed', bytes: 1024 * MiB });
    expect(read.digest('hex')).toBe(expected);
  }, 300_000);

  it('falls back to streaming with auto when S3 is out of the client’s reach; direct says why', async () => {
    const bytes = randomBytes(11 * MiB);
    const path = await file('auto.bin', bytes);
    await publicS3.setEnabled(false);
    try {
      await expect(
        client.upload(path, { name: 'direct-refused.bin', transfer: 'direct', chunkBytes: 5 * MiB }),
      ).rejects.toThrow(DirectTransferUnavailableError);
      const result = await client.upload(path, { name: 'auto.bin', transfer: 'auto', chunkBytes: 5 * MiB });
      expect(result.transfer).toBe('streamed');
      expect(result.node.sha256VerifiedBy).toBe(metadataV1.Sha256VerifiedBy.SERVICE);
      expect((await readBack(result.node.nodeId)).equals(bytes)).toBe(true);
    } finally {
      await publicS3.setEnabled(true);
    }
    const direct = await client.upload(path, { name: 'auto.bin', transfer: 'auto', chunkBytes: 5 * MiB });
    expect(direct).toMatchObject({ transfer: 'direct', node: { version: 2n } });
  });

  it('resumes with `tessera upload --direct` after the client was killed mid-way', async () => {
    const bytes = randomBytes(60 * MiB);
    const path = await file('killed.iso', bytes);
    const env = {
      ...process.env,
      TESSERA_ADDRESS: stack.intakeAddress,
      TESSERA_STATE_DIR: join(dir, 'state'),
    };
    const args = ['upload', path, '--direct', '--chunk-mib', '5', '--streams', '1', '--json'];
    const first = spawn('node', [CLI, ...args], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => first.once('exit', resolve));
    let uploadId: string | undefined;
    for (let received = 0n; received === 0n; await sleep(25)) {
      uploadId ??= await rememberedUploadId(join(dir, 'state/uploads'));
      if (uploadId) received = (await client.uploadStatus(uploadId)).receivedBytes;
    }
    first.kill('SIGKILL');
    await exited;

    const { stdout, stderr } = await promisify(execFile)('node', [CLI, ...args], { env });
    expect(stderr).toContain(`resuming upload ${uploadId} of ${path}`);
    const result = JSON.parse(stdout) as {
      uploadId: string;
      chunksResumed: number;
      transfer: string;
      nodeId: string;
    };
    expect(result).toMatchObject({ uploadId, transfer: 'direct' });
    expect(result.chunksResumed).toBeGreaterThan(0);
    expect((await readBack(result.nodeId)).equals(bytes)).toBe(true);
  }, 120_000);
});

async function rememberedUploadId(stateDir: string): Promise<string | undefined> {
  const files = await readdir(stateDir).catch(() => []);
  if (files.length === 0) return undefined;
  return (JSON.parse(await readFile(join(stateDir, files[0]!), 'utf8')) as { uploadId: string }).uploadId;
}

async function sha256Of(body: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of body) hash.update(piece);
  return hash.digest('hex');
}
