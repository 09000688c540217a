import { PeriodicTask } from './periodic-task';
import type { UploadSessions } from '../uploads/upload-sessions';
import type { UploadStore } from '../ports/upload-store.port';

export interface UploadJanitorOptions {
  /** An unfinished upload with no activity for this long is aborted. */
  idleTtlMs: number;
  /** How often to look for idle uploads. */
  intervalMs: number;
  /** Uploads aborted per query; a sweep repeats the query until fewer come back. */
  batchSize: number;
}

/** What the janitor reports; the composition root turns these into log lines. */
export interface JanitorListener {
  aborted(uploadId: string, idleSince: Date): void;
  failed(uploadId: string | undefined, error: unknown): void;
}

export interface SweepResult {
  aborted: string[];
  failed: string[];
}

/**
 * Aborts uploads left idle past a TTL, through the same guarded abort a client gets. Several
 * replicas may sweep at once: the abort's state transition lets one of them clean up each upload.
 */
export class UploadJanitor {
  private readonly schedule: PeriodicTask;

  constructor(
    private readonly uploads: UploadStore,
    private readonly sessions: UploadSessions,
    private readonly options: UploadJanitorOptions,
    private readonly listener: JanitorListener,
  ) {
    this.schedule = new PeriodicTask(
      () => this.sweep(),
      options.intervalMs,
      (error) => listener.failed(undefined, error),
    );
  }

  /** Sweeps every intervalMs until stop(); the first sweep runs after one interval. */
  start(): void {
    this.schedule.start();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    await this.schedule.stop();
  }

  /** Aborts every upload idle past the TTL now. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { aborted: [], failed: [] };
    for (;;) {
      const idle = await this.uploads.findIdleUploads(this.options.idleTtlMs, this.options.batchSize);
      const fresh = idle.filter((upload) => !result.failed.includes(upload.uploadId));
      for (const upload of fresh) {
        try {
          if (!(await this.sessions.abortIfIdle(upload, this.options.idleTtlMs))) continue; // resumed meanwhile
          result.aborted.push(upload.uploadId);
          this.listener.aborted(upload.uploadId, upload.updatedAt);
        } catch (error) {
          result.failed.push(upload.uploadId);
          this.listener.failed(upload.uploadId, error);
        }
      }
      const done = idle.length < this.options.batchSize || fresh.length === 0;
      if (done || this.schedule.isStopped) return result;
    }
  }
}
