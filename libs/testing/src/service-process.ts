import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository's root (from libs/testing/src or libs/testing/dist alike). */
export const REPO_ROOT = join(__dirname, '../../..');

/**
 * The node flags every service runs with, here as in its image (the Dockerfiles' CMD) and the demo.
 * The services' CPU goes mostly to V8's garbage collector reclaiming chunk buffers; on the few
 * cores a service gets, collecting on helper threads costs more CPU than it saves in pauses
 * (docs/benchmarks.md).
 */
export const SERVICE_NODE_FLAGS = ['--single-threaded-gc'];

export interface ServiceProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/**
 * Starts a built service (`node <SERVICE_NODE_FLAGS> services/<name>/dist/main.js`) on free ports and waits (at most
 * `timeoutMs`) for its "listening" log line, which is logged at info level. `nodeArgs` go to node
 * itself (e.g. --cpu-prof, which NODE_OPTIONS does not allow).
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string> = {},
  { timeoutMs = 30_000, nodeArgs = [] }: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ServiceProcess> {
  const main = join(REPO_ROOT, 'services', name, 'dist', 'main.js');
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, main], {
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

/** The lowest port the kernel hands out for outgoing connections and port-0 listeners. */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

/** Binds the port (0: any) on 127.0.0.1 and frees it again; the port, or undefined when taken. */
async function tryPort(port: number): Promise<number | undefined> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!bound) return undefined;
  const { port: chosen } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return chosen;
}

/** Ports this process handed out already: the services they went to may not be listening yet. */
const handedOut = new Set<number>();

/**
 * Jest workers run suites side by side and each starts services: every worker draws from its own
 * slice of the range, so two workers never hand out the same port in the moment between choosing
 * it and the service binding it (a CI run failed with EADDRINUSE that way).
 */
const WORKER_SLICES = 8;

function portRange(): { low: number; high: number } {
  const low = 20_000;
  const high = ephemeralLow();
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const size = Math.floor((high - low) / WORKER_SLICES);
  if (!Number.isInteger(worker) || worker < 1 || size < 100) return { low, high };
  const slice = (worker - 1) % WORKER_SLICES;
  return { low: low + slice * size, high: low + (slice + 1) * size };
}

/**
 * A TCP port nothing listens on right now, for a process started next. Chosen below the ephemeral
 * range: a port from inside it could be taken meanwhile by any outgoing connection (or port-0
 * listener) of the processes starting in between, and the later bind would fail with EADDRINUSE.
 * Never the same port twice in one process: a service restarted on its own port gets it back from
 * its settings, not from here.
 */
export async function freePort(): Promise<number> {
  const { low, high } = portRange();
  for (let attempt = 0; high - low > 100 && attempt < 50; attempt++) {
    const candidate = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(candidate)) continue;
    const port = await tryPort(candidate);
    if (port !== undefined) return handOut(port);
  }
  return handOut((await tryPort(0))!);
}

function handOut(port: number): number {
  handedOut.add(port);
  return port;
}
