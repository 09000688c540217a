import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, stackEndpoints } from '@tessera/testing';
import { REPO_ROOT, startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;

/** Runs the built `tessera` command; resolves with its exit code and output, whatever the code. */
function tessera(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return tesseraWith(process.env, ...args);
}

async function tesseraWith(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'node',
      [join(REPO_ROOT, 'tools/cli/bin/tessera.js'), ...args],
      { env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tessera upload / download / trace (the CLI against the services)', () => {
  let stack: UploadStack;
  let dir: string;
  const { jaeger } = stackEndpoints();

  beforeAll(async () => {
    const traced = { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    stack = await startUploadStack('cli_transfer', {
      repositoryEnv: traced,
      intakeEnv: traced,
      metadataEnv: traced,
    });
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads a file, downloads it byte-identical, and prints the download trace as a waterfall', async () => {
    const bytes = randomBytes(20 * MiB + 123);
    await writeFile(join(dir, 'in.bin'), bytes);
    const upload = await tessera(
      'upload',
      join(dir, 'in.bin'),
      '--address',
      stack.intakeAddress,
      '--chunk-mib',
      '4',
      '--json',
    );
    expect(upload).toMatchObject({ code: 0 });
    const uploaded = JSON.parse(upload.stdout) as { nodeId: string; bytes: number; sha256: string };
    expect(uploaded.bytes).toBe(bytes.length);

    const download = await tessera(
      'download',
      uploaded.nodeId,
      '-o',
      join(dir, 'out.bin'),
      '--address',
      stack.intakeAddress,
      '--json',
    );
    expect(download).toMatchObject({ code: 0 });
    expect((await readFile(join(dir, 'out.bin'))).equals(bytes)).toBe(true);
    const { traceId, sha256 } = JSON.parse(download.stdout) as { traceId: string; sha256: string };
    expect(sha256).toBe(uploaded.sha256);

    const trace = await tessera(
      'trace',
      traceId,
      '--jaeger',
      jaeger.queryUrl,
      '--wait',
      '30',
      '--width',
      '100',
    );
    expect(trace).toMatchObject({ code: 0 });
    // The read fetches READ_RANGE_BYTES (8 MiB) ranges in parallel: 3 for 20 MiB and 123 bytes.
    expect(trace.stdout.match(/S3\.GetObject/g)?.length).toBe(3);
    expect(trace.stdout).toContain(`${jaeger.queryUrl}/trace/${traceId}`);
  }, 120_000);

  it('shows a direct upload as one trace: the CLI’s part PUTs to S3 beside the services’ calls', async () => {
    const bytes = randomBytes(10 * MiB + 5);
    await writeFile(join(dir, 'direct.bin'), bytes);
    const traced = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc };
    const upload = await tesseraWith(
      traced,
      'upload',
      join(dir, 'direct.bin'),
      '--address',
      stack.intakeAddress,
      '--direct',
      '--chunk-mib',
      '5',
      '--json',
    );
    expect(upload).toMatchObject({ code: 0 });
    const { traceId, transfer } = JSON.parse(upload.stdout) as { traceId: string; transfer: string };
    expect(transfer).toBe('direct');

    // The CLI's spans are flushed as it exits, the services' in their next export batch.
    let trace = { code: -1, stdout: '', stderr: '' };
    await eventually(
      async () => {
        trace = await tessera('trace', traceId, '--jaeger', jaeger.queryUrl, '--width', '120');
        expect(trace.stdout).toMatch(/CompleteUpload/);
      },
      { timeoutMs: 30_000 },
    );
    // Three chunks (5 + 5 MiB and 5 bytes): three PUTs by the CLI, presigned and completed by the services.
    expect(trace.stdout.match(/tessera-cli: S3\.UploadPart/g)?.length).toBe(3);
    expect(trace.stdout).toMatch(/PresignChunks/);
    expect(trace.stdout).not.toMatch(/X-Amz-Signature/);

    const { nodeId } = JSON.parse(upload.stdout) as { nodeId: string };
    const download = await tesseraWith(
      traced,
      'download',
      nodeId,
      '-o',
      join(dir, 'direct.out'),
      '--address',
      stack.intakeAddress,
      '--direct',
      '--json',
    );
    expect(download).toMatchObject({ code: 0 });
    const read = JSON.parse(download.stdout) as { traceId: string };
    await eventually(
      async () => {
        const readTrace = await tessera('trace', read.traceId, '--jaeger', jaeger.queryUrl, '--width', '120');
        expect(readTrace.stdout).toMatch(/tessera-cli: S3\.GetObject/);
        expect(readTrace.stdout).toMatch(/GetDownloadUrl/);
      },
      { timeoutMs: 30_000 },
    );
  }, 120_000);

  it('fails with exit code 1, a message naming the node, and no file left when the node does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const output = join(dir, 'missing.bin');
    const result = await tessera('download', missing, '-o', output, '--address', stack.intakeAddress);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/NOT_FOUND|not found/i);
    expect(result.stderr).toContain(missing);
    expect(existsSync(output)).toBe(false);
  });

  it('refuses bad usage with exit code 2 and the usage text', async () => {
    const result = await tessera('upload', join(dir, 'no-such-file'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no file at');
    expect(result.stderr).toContain('usage: tessera');
  });
});
