import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, REPO_ROOT } from './service-process';

/**
 * A Kafka broker of the test's own (scripts/stack/kafka-broker.sh), so a test can really stop Kafka
 * and start it again, with its data, without disturbing the shared stack's broker.
 */
export class PrivateKafka {
  private broker: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  static async start(): Promise<PrivateKafka> {
    const kafka = new PrivateKafka(
      mkdtempSync(join(tmpdir(), 'tessera-kafka-')),
      await freePort(),
      await freePort(),
    );
    await kafka.resume();
    return kafka;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Starts the broker (again) and waits until it says it has started. */
  async resume(timeoutMs = 90_000): Promise<void> {
    const script = join(REPO_ROOT, 'scripts/stack/kafka-broker.sh');
    const broker = spawn(script, [this.dir, String(this.port), String(this.controllerPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.broker = broker;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Kafka did not start: ${output.slice(-2000)}`)),
        timeoutMs,
      );
      const watch = (line: string) => {
        output = (output + line + '\n').slice(-4000);
        if (line.includes('Kafka Server started')) {
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: broker.stdout! }).on('line', watch);
      createInterface({ input: broker.stderr! }).on('line', watch);
      broker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Kafka exited with ${code}: ${output.slice(-2000)}`));
      });
    });
  }

  /** Stops the broker (a clean shutdown) and waits until its process is gone. */
  async halt(): Promise<void> {
    const broker = this.broker;
    if (!broker || broker.exitCode !== null) return;
    const exited = new Promise((resolve) => broker.once('exit', resolve));
    broker.kill('SIGTERM');
    const forced = setTimeout(() => broker.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(forced);
  }

  async remove(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
