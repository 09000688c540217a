import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Upload } from 'tus-js-client';
import { freePort, SERVICE_NODE_FLAGS, stackEndpoints } from '@tessera/testing';

export interface TusPeer {
  name: string;
  endpoint: string;
  /** The server's process, to meter its CPU. */
  pid: number;
  stop(): Promise<void>;
}

async function startPeer(
  name: string,
  child: ChildProcess,
  ready: RegExp,
  endpoint: string,
): Promise<TusPeer> {
  let output = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output = `${output}${line}\n`.slice(-4000);
        if (ready.test(line)) resolve();
      });
    }
    void exited.then(() => reject(new Error(`${name} exited before listening:\n${output}`)));
  });
  return {
    name,
    endpoint,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function s3Env() {
  const { minio } = stackEndpoints();
  return { endpoint: minio.endpoint, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
}

/**
 * `@tus/server` with `@tus/s3-store` (npm), in a process of its own, with the node flags Tessera's
 * services run with, so neither side gains from a V8 setting the other lacks.
 */
export async function startTusNodeServer(bucket: string, partBytes: number): Promise<TusPeer> {
  const port = await freePort();
  const s3 = s3Env();
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(__dirname, 'tus-node-server.mjs')], {
    env: {
      ...process.env,
      PORT: String(port),
      BUCKET: bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PART_BYTES: String(partBytes),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return startPeer('@tus/server', child, /^listening/, `http://127.0.0.1:${port}/files`);
}

/** The tusd version `scripts/stack/install.sh tusd` builds (scripts/stack/versions.env). */
export function pinnedTusdVersion(): string {
  const versions = readFileSync(join(__dirname, '../../scripts/stack/versions.env'), 'utf8');
  return versions.match(/^TUSD_VERSION=(\S+)$/m)![1]!;
}

/**
 * Both tus peers with S3 parts of `partBytes`, each added to `peers` once it runs, so the caller's
 * cleanup stops what started even when the other fails (tusd not built).
 */
export async function startTusPeers(
  bucket: string,
  partBytes: number,
  peers: TusPeer[],
): Promise<{ tusNode: TusPeer; tusd: TusPeer }> {
  const tusNode = await startTusNodeServer(bucket, partBytes);
  peers.push(tusNode);
  const tusd = await startTusd(bucket, partBytes, pinnedTusdVersion());
  peers.push(tusd);
  return { tusNode, tusd };
}

/** tusd (built by `scripts/stack/install.sh tusd`) with its S3 store. */
export async function startTusd(bucket: string, partBytes: number, version: string): Promise<TusPeer> {
  const port = await freePort();
  const s3 = s3Env();
  const binary = join(
    process.env['TESSERA_CACHE_DIR'] ?? join(homedir(), '.cache/tessera'),
    'bin',
    `tusd-${version}`,
  );
  const child = spawn(
    binary,
    [
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-base-path',
      '/files/',
      '-s3-bucket',
      bucket,
      '-s3-endpoint',
      s3.endpoint,
      '-s3-part-size',
      String(partBytes),
      '-disable-download',
    ],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return startPeer('tusd', child, /You can now upload files to/, `http://127.0.0.1:${port}/files/`);
}

/** Uploads a file to a tus server with tus-js-client in one PATCH request; returns seconds. */
export async function uploadWithTus(endpoint: string, path: string, size: number): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const upload = new Upload(createReadStream(path), {
      endpoint,
      uploadSize: size,
      retryDelays: [],
      metadata: { filename: `tus-${Date.now()}.bin` },
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
  return (performance.now() - started) / 1000;
}
