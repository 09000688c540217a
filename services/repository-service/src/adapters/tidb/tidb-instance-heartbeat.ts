import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface InstanceHeartbeatOptions {
  instanceId: string;
  intervalMs: number;
  /** Rows of instances gone for longer than this are deleted (their leftovers fall back to age rules). */
  forgetAfterMs: number;
  /** A beat that could not be written: the instance keeps trying. */
  onError: (error: unknown) => void;
  /** An instance whose heartbeat is older than this is gone. */
  staleAfterMs: number;
  /** After every beat: whether every live instance reads chunks staged together (group commit). */
  onPeers?: (everyoneReadsBatches: boolean) => void;
}

/**
 * Says in repository_instances that this instance is alive, every intervalMs. Another instance
 * takes over the chunk claims and completions of one whose heartbeat went stale (killed), so a
 * client resumes without waiting for claims to age out (docs/reliability.md).
 *
 * Give it a pool of its own (one connection): on the shared pool a beat waits behind every chunk
 * writer and the outbox relay, and a busy instance would look dead. A beat still out when the next
 * is due is not doubled: the next one waits for it.
 */
export class TidbInstanceHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: InstanceHeartbeatOptions,
  ) {}

  /** Writes the first beat (failing the boot if it cannot), then beats on a timer. */
  async start(): Promise<void> {
    await this.upsert();
    await this.pool.execute(
      'DELETE FROM repository_instances WHERE heartbeat_at < NOW(6) - INTERVAL ? MICROSECOND',
      [Math.round(this.options.forgetAfterMs * 1000)],
    );
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops beating and marks the instance gone at once: what it left behind is taken over now. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool
      .execute(`UPDATE repository_instances SET heartbeat_at = '1970-01-02' WHERE instance_id = ?`, [
        this.options.instanceId,
      ])
      .catch(this.options.onError);
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    await this.upsert()
      .catch(this.options.onError)
      .finally(() => (this.beating = false));
  }

  private async upsert(): Promise<void> {
    await this.pool.execute(
      `INSERT INTO repository_instances (instance_id, heartbeat_at, reads_batches) VALUES (?, NOW(6), TRUE)
       ON DUPLICATE KEY UPDATE heartbeat_at = NOW(6), reads_batches = TRUE`,
      [this.options.instanceId],
    );
    if (this.options.onPeers) this.options.onPeers(await this.everyoneReadsBatches());
  }

  /** No live instance of an earlier release (which leaves reads_batches FALSE) is running. */
  private async everyoneReadsBatches(): Promise<boolean> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT COUNT(*) AS earlier FROM repository_instances
       WHERE NOT reads_batches AND heartbeat_at >= NOW(6) - INTERVAL ? MICROSECOND`,
      [Math.round(this.options.staleAfterMs * 1000)],
    );
    return Number(rows[0]!['earlier']) === 0;
  }
}
