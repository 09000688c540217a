import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@tessera/testing';
import { freePort, REPO_ROOT } from './service-process';

type Kind = 'minio' | 'tidb';

/**
 * A MinIO or TiDB server of the test's own (scripts/stack/private-server.sh), so a test can really
 * stop it and start it again, with its data, without disturbing the shared stack's.
 */
export class PrivateServer {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly kind: Kind,
    private readonly dir: string,
    readonly port: number,
    private readonly statusPort: number,
  ) {}

  static async start(kind: Kind): Promise<PrivateServer> {
    const dir = mkdtempSync(join(tmpdir(), `tessera-${kind}-`));
    const server = new PrivateServer(kind, dir, await freePort(), await freePort());
    await server.resume();
    return server;
  }

  /** http://127.0.0.1:<port> for MinIO. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on its ports and data, and waits until it answers. */
  async resume(timeoutMs = 60_000): Promise<void> {
    const script = join(REPO_ROOT, 'scripts/stack/private-server.sh');
    const args = [this.kind, this.dir, String(this.port), String(this.statusPort)];
    const child = spawn(script, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-2000)));
    this.process = child;
    const readyUrl =
      this.kind === 'minio' ? `${this.url}/minio/health/ready` : `http://127.0.0.1:${this.statusPort}/status`;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${this.kind} exited with ${child.exitCode}: ${stderr}`);
        const response = await fetch(readyUrl);
        if (!response.ok) throw new Error(`${this.kind} answers ${response.status}`);
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Stops the server, cleanly (SIGTERM) or as a crash (SIGKILL), and waits until it is gone. */
  async halt(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(forced);
  }

  async remove(): Promise<void> {
    await this.halt('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
