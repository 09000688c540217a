import { PeriodicTask } from '../maintenance/periodic-task';
import type { Recovered, UploadCompleter } from './upload-completer';
import type { UploadStore } from '../ports/upload-store.port';

/** What recovery reports; the composition root turns these into log lines. */
export interface RecoveryListener {
  recovered(uploadId: string, recovered: Recovered): void;
  failed(uploadId: string | undefined, error: unknown): void;
}

export interface CompletionRecoveryOptions {
  /** How often to look for completions whose instance is gone. */
  intervalMs: number;
  batchSize: number;
}

/**
 * Finishes completions left COMPLETING by an instance that died (kill -9, lost node), or by this one
 * when S3 or TiDB failed for a while: at start and then every intervalMs. Replicas may look at
 * once; adopting a completion lets one of them have it.
 */
export class CompletionRecovery {
  private readonly schedule: PeriodicTask;

  constructor(
    private readonly uploads: UploadStore,
    private readonly completer: UploadCompleter,
    private readonly options: CompletionRecoveryOptions,
    private readonly listener: RecoveryListener,
  ) {
    this.schedule = new PeriodicTask(
      () => this.sweep(),
      options.intervalMs,
      (error) => listener.failed(undefined, error),
    );
  }

  start(): void {
    this.schedule.start({ immediately: true });
  }

  async stop(): Promise<void> {
    await this.schedule.stop();
  }

  /** Recovers every orphaned completion found now; the ids of those this instance finished. */
  async sweep(): Promise<string[]> {
    const recovered: string[] = [];
    const tried = new Set<string>();
    for (;;) {
      const orphaned = await this.uploads.findOrphanedCompletions(this.options.batchSize);
      const fresh = orphaned.filter(
        (uploadId) => !tried.has(uploadId) && !this.completer.isCompleting(uploadId),
      );
      for (const uploadId of fresh) {
        tried.add(uploadId);
        await this.recoverOne(uploadId, recovered);
      }
      const done = orphaned.length < this.options.batchSize || fresh.length === 0;
      if (done || this.schedule.isStopped) return recovered;
    }
  }

  private async recoverOne(uploadId: string, recovered: string[]): Promise<void> {
    try {
      const done = await this.completer.recover(uploadId);
      if (!done) return;
      recovered.push(uploadId);
      this.listener.recovered(uploadId, done);
    } catch (error) {
      this.listener.failed(uploadId, error);
    }
  }
}
