import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { TesseraClient } from '@tessera/client';
import { REPO_ROOT, startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const CLI = join(REPO_ROOT, 'tools/cli/bin/tessera.js');

describe('tessera resume / status / ls / versions / rm (the CLI against the services)', () => {
  let stack: UploadStack;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  async function tessera(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)('node', [CLI, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    stack = await startUploadStack('cli_commands');
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
    env = { ...process.env, TESSERA_ADDRESS: stack.intakeAddress, TESSERA_STATE_DIR: join(dir, 'state') };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function rememberedUploadId(): Promise<string | undefined> {
    const files = await readdir(join(dir, 'state/uploads')).catch(() => []);
    if (files.length === 0) return undefined;
    return (JSON.parse(await readFile(join(dir, 'state/uploads', files[0]!), 'utf8')) as { uploadId: string })
      .uploadId;
  }

  it('resumes an upload interrupted with Ctrl-C when the same command runs again, and says so', async () => {
    const bytes = randomBytes(96 * MiB);
    const path = join(dir, 'big.iso');
    await writeFile(path, bytes);
    const args = [CLI, 'upload', path, '--chunk-mib', '1', '--streams', '1'];
    const first = spawn('node', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    first.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
    const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
    const client = new TesseraClient(stack.intakeAddress);
    let uploadId: string | undefined;
    try {
      for (let received = 0n; received === 0n; await sleep(25)) {
        uploadId ??= await rememberedUploadId();
        if (uploadId) received = (await client.uploadStatus(uploadId)).receivedBytes;
      }
    } finally {
      client.close();
    }
    first.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`interrupted: run the same command again to resume upload ${uploadId}`);

    const second = await tessera('upload', path, '--chunk-mib', '1', '--json');
    expect(second).toMatchObject({ code: 0 });
    expect(second.stderr).toContain(`resuming upload ${uploadId} of ${path}`);
    const result = JSON.parse(second.stdout) as { uploadId: string; chunksResumed: number; nodeId: string };
    expect(result.uploadId).toBe(uploadId);
    expect(result.chunksResumed).toBeGreaterThan(0);
    expect(await rememberedUploadId()).toBeUndefined();

    const download = await tessera('download', result.nodeId, '-o', join(dir, 'big.out'));
    expect(download).toMatchObject({ code: 0 });
    expect((await readFile(join(dir, 'big.out'))).equals(bytes)).toBe(true);
  }, 120_000);

  it('lists a drive, shows versions and an upload’s status, deletes a node', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'one');
    const first = JSON.parse((await tessera('upload', path, '--drive', 'cli-nodes', '--json')).stdout) as {
      nodeId: string;
      uploadId: string;
    };
    await writeFile(path, 'two, longer');
    await tessera('upload', path, '--drive', 'cli-nodes');

    const listing = await tessera('ls', '--drive', 'cli-nodes', '--json');
    expect(listing).toMatchObject({ code: 0 });
    expect(
      listing.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as object),
    ).toEqual([expect.objectContaining({ nodeId: first.nodeId, name: 'notes.txt', version: 2, size: 11 })]);
    const versions = await tessera('versions', first.nodeId);
    expect(versions.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${first.nodeId}  v2 +11  .*  notes\\.txt$`)),
      expect.stringMatching(new RegExp(`^${first.nodeId}  v1 +3  .*  notes\\.txt$`)),
    ]);
    const status = await tessera('status', first.uploadId);
    expect(status.stdout).toContain(
      `upload ${first.uploadId} of notes.txt (node ${first.nodeId}): COMPLETED`,
    );

    expect(await tessera('rm', first.nodeId)).toMatchObject({
      code: 0,
      stdout: `deleted node ${first.nodeId}\n`,
    });
    expect((await tessera('ls', '--drive', 'cli-nodes')).stdout).toBe('');
    const gone = await tessera('versions', first.nodeId);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(first.nodeId);
  });

  it('refuses `resume` when nothing is remembered for the file (exit code 2)', async () => {
    const path = join(dir, 'never.bin');
    await writeFile(path, 'x');
    const result = await tessera('resume', path);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`nothing to resume for ${path}`);
  });
});
