import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startUploadStack, type UploadStack } from './service-process';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** What a user's shell has: no npm_* variables of the `npm run` (or workspace) this test runs under. */
function userEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}

const lockDigest = async () =>
  createHash('sha256')
    .update(await readFile(join(REPO_ROOT, 'package-lock.json')))
    .digest('hex');

/** Ten lines a user of the SDK writes: upload a buffer, read it back, compare. */
const SDK_SCRIPT = `
import { TesseraClient } from '@tessera/client';
import { PassThrough } from 'node:stream';
const client = new TesseraClient(process.env.TESSERA_ADDRESS);
const bytes = Buffer.from('written by the installed SDK '.repeat(40000));
const { node, sha256 } = await client.upload([bytes], { name: 'sdk.txt', driveId: 'installed-sdk' });
const sink = new PassThrough(), pieces = [];
sink.on('data', (piece) => pieces.push(piece));
const read = await client.download(node.nodeId, sink);
client.close();
console.log(JSON.stringify({ nodeId: node.nodeId, same: Buffer.concat(pieces).equals(bytes), sha256, readSha256: read.sha256 }));
`;

/** The SDK's declarations as a TypeScript user sees them (strict, library checks on). */
const TYPES_CHECK = `
import { TesseraClient, type DownloadResult, type UploadResult } from '@tessera/client';
const client = new TesseraClient('127.0.0.1:50051');
const uploaded: Promise<UploadResult> = client.upload([Buffer.from('x')], { name: 'x', chunkBytes: 1024 });
const read: Promise<DownloadResult> = uploaded.then(({ node }) => client.download(node.nodeId));
export const version: Promise<bigint> = read.then(({ node }) => node.version);
`;

describe('the packed SDK and CLI installed from their tarballs into an empty directory', () => {
  let stack: UploadStack;
  let dir: string;
  let app: string;
  let env: NodeJS.ProcessEnv;
  let lockBefore: string;

  async function pack(): Promise<string[]> {
    const { stdout } = await run(
      'bash',
      [join(REPO_ROOT, 'scripts/ci/pack-packages.sh'), join(dir, 'tarballs')],
      {
        cwd: REPO_ROOT,
        maxBuffer: 16 * MiB,
      },
    );
    return stdout.trim().split('\n');
  }

  beforeAll(async () => {
    lockBefore = await lockDigest();
    dir = await mkdtemp(join(tmpdir(), 'tessera-installed-'));
    app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'tessera-user', private: true }));
    const [started, tarballs] = await Promise.all([startUploadStack('installed_packages'), pack()]);
    stack = started;
    env = userEnvironment({ TESSERA_ADDRESS: stack.intakeAddress, TESSERA_STATE_DIR: join(dir, 'state') });
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
      cwd: app,
      env,
      maxBuffer: 16 * MiB,
    });
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('packs one tarball per published package and installs them without the workspace', async () => {
    expect((await readdir(join(dir, 'tarballs'))).sort()).toEqual([
      'tessera-cli-0.1.0.tgz',
      'tessera-client-0.1.0.tgz',
      'tessera-contracts-0.1.0.tgz',
      'tessera-events-0.1.0.tgz',
      'tessera-grpc-client-0.1.0.tgz',
      'tessera-jaeger-0.1.0.tgz',
    ]);
    expect((await readdir(join(app, 'node_modules/@tessera'))).sort()).toEqual([
      'cli',
      'client',
      'contracts',
      'events',
      'grpc-client',
      'jaeger',
    ]);
    expect(await lockDigest()).toBe(lockBefore);
  });

  it('runs tessera --help from node_modules/.bin', async () => {
    const { stdout } = await run(join(app, 'node_modules/.bin/tessera'), ['--help'], { cwd: app, env });
    expect(stdout).toMatch(/^usage: tessera <command> \[options\]/);
    expect(stdout).toContain('download <node-id>');
  });

  it('uploads and downloads a file with the installed tessera, the bytes unchanged', async () => {
    const bytes = randomBytes(3 * MiB + 123);
    await writeFile(join(app, 'data.bin'), bytes);
    const tessera = (...args: string[]) =>
      run(join(app, 'node_modules/.bin/tessera'), args, { cwd: app, env });
    const uploaded = JSON.parse(
      (await tessera('upload', 'data.bin', '--chunk-mib', '1', '--drive', 'installed-cli', '--json')).stdout,
    ) as { nodeId: string; bytes: number };
    expect(uploaded.bytes).toBe(bytes.length);
    await tessera('download', uploaded.nodeId, '-o', 'copy.bin');
    expect((await readFile(join(app, 'copy.bin'))).equals(bytes)).toBe(true);
  });

  it('runs SDK code importing the installed @tessera/client', async () => {
    await writeFile(join(app, 'sdk-check.mjs'), SDK_SCRIPT);
    const { stdout } = await run(process.execPath, ['sdk-check.mjs'], { cwd: app, env });
    const result = JSON.parse(stdout) as { same: boolean; sha256: string; readSha256: string };
    expect(result.same).toBe(true);
    expect(result.readSha256).toBe(result.sha256);
  });

  it('type-checks TypeScript against the installed declarations', async () => {
    await writeFile(join(app, 'types-check.ts'), TYPES_CHECK);
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const options = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'node16'];
    const types = ['--typeRoots', join(REPO_ROOT, 'node_modules/@types'), '--types', 'node'];
    await expect(
      run(process.execPath, [tsc, ...options, ...types, 'types-check.ts'], { cwd: app, env }),
    ).resolves.toBeDefined();
  }, 60_000);
});
