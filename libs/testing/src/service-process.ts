import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository's root (from libs/testing/src or libs/testing/dist alike). */
export const REPO_ROOT = join(__dirname, '../../..');

export interface ServiceProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/**
 * Starts a built service (`node services/<name>/dist/main.js`) on free ports and waits (at most
 * `timeoutMs`) for its "listening" log line, which is logged at info level. `nodeArgs` go to node
 * itself (e.g. --cpu-prof, which NODE_OPTIONS does not allow).
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string> = {},
  { timeoutMs = 30_000, nodeArgs = [] }: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ServiceProcess> {
  const main = join(REPO_ROOT, 'services', name, 'dist', 'main.js');
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...process.env, GRPC_PORT: '0', HTTP_PORT: '0', LISTEN_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry['grpcPort'] === 'number') {
        resolve({ grpcPort: entry['grpcPort'], httpPort: entry['httpPort'] as number });
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before listening: ${stderr}`)));
    setTimeout(
      () => reject(new Error(`${name} did not log that it listens within ${timeoutMs} ms`)),
      timeoutMs,
    ).unref();
  });
  try {
    return { child, logs, exited, ...(await listening) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
