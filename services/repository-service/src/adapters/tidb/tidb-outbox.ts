import { suppressTracing } from '@opentelemetry/core';
import { context, propagation } from '@opentelemetry/api';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { LifecycleEvent } from '../../domain/events/lifecycle-event';
import type { Outbox, OutboxBacklog, OutboxRecord } from '../../domain/ports/outbox.port';
import { encodeLifecycleEvent } from '../events/lifecycle-event-encoding';
import { inPessimisticTransaction, type Statement } from './tidb-transaction';

/** TiDB's answer to FOR UPDATE NOWAIT on a row another transaction holds. */
const LOCK_NOT_ACQUIRED = 3572;

/**
 * Adds an event to the outbox on the connection of the transaction that makes the change, with the
 * trace context of that change so consumers continue its trace.
 */
export async function appendToOutbox(connection: PoolConnection, event: LifecycleEvent): Promise<void> {
  const { sql, values } = outboxInsert(event);
  await connection.execute(sql, values);
}

/**
 * The INSERT of an event into the outbox; with `onlyIfChanged`, it inserts only when the statement
 * before it in the same transaction changed exactly one row (for single-round-trip transactions).
 */
export function outboxInsert(event: LifecycleEvent, onlyIfChanged = false): Statement {
  const { type, payload } = encodeLifecycleEvent(event);
  const traceContext: Record<string, string> = {};
  propagation.inject(context.active(), traceContext);
  return {
    sql:
      'INSERT INTO outbox_events (event_id, event_key, event_type, payload, trace_context) ' +
      (onlyIfChanged ? 'SELECT ?, ?, ?, ?, ? FROM DUAL WHERE ROW_COUNT() = 1' : 'VALUES (?, ?, ?, ?, ?)'),
    values: [event.eventId, event.nodeId, type, Buffer.from(payload), JSON.stringify(traceContext)],
  };
}

/** One INSERT of several events, in order (their positions follow it), all in the active trace context. */
export function outboxInsertOfAll(events: LifecycleEvent[]): Statement {
  const traceContext: Record<string, string> = {};
  propagation.inject(context.active(), traceContext);
  const traced = JSON.stringify(traceContext);
  return {
    sql:
      'INSERT INTO outbox_events (event_id, event_key, event_type, payload, trace_context) VALUES ' +
      events.map(() => '(?, ?, ?, ?, ?)').join(', '),
    values: events.flatMap((event) => {
      const { type, payload } = encodeLifecycleEvent(event);
      return [event.eventId, event.nodeId, type, Buffer.from(payload), traced];
    }),
  };
}

function toRecord(row: RowDataPacket): OutboxRecord {
  return {
    position: String(row['position']),
    eventId: row['event_id'],
    key: row['event_key'],
    type: row['event_type'],
    payload: row['payload'] as Buffer,
    traceContext: row['trace_context'] as Record<string, string>,
    createdAt: new Date(row['created_at']),
  };
}

/** The outbox tables of migrations 8 and 9. */
export class TidbOutbox implements Outbox {
  constructor(private readonly pool: Pool) {}

  async drain(
    limit: number,
    publish: (records: readonly OutboxRecord[]) => Promise<void>,
  ): Promise<number | 'busy'> {
    if (!(await this.hasEvents())) return 0;
    try {
      return await inPessimisticTransaction(this.pool, async (connection) => {
        await connection.query(
          `SELECT name FROM outbox_relay_lock WHERE name = 'lifecycle' FOR UPDATE NOWAIT`,
        );
        const [rows] = await connection.query<RowDataPacket[]>(
          'SELECT * FROM outbox_events ORDER BY position LIMIT ?',
          [limit],
        );
        if (rows.length === 0) return 0;
        const records = rows.map(toRecord);
        await publish(records);
        await connection.query('DELETE FROM outbox_events WHERE position IN (?)', [
          records.map((record) => record.position),
        ]);
        return records.length;
      });
    } catch (error) {
      if ((error as { errno?: number }).errno === LOCK_NOT_ACQUIRED) return 'busy';
      throw error;
    }
  }

  /**
   * Whether any event waits, in one untraced statement: the relay asks every OUTBOX_POLL_INTERVAL_MS,
   * and the locked drain (four statements, each a span) measured as most of an idle repository's
   * CPU and TiDB's (docs/benchmarks.md).
   */
  private async hasEvents(): Promise<boolean> {
    const [rows] = await context.with(suppressTracing(context.active()), () =>
      this.pool.query<RowDataPacket[]>('SELECT 1 FROM outbox_events LIMIT 1'),
    );
    return rows.length > 0;
  }

  async backlog(): Promise<OutboxBacklog> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS pending, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(6)) AS age_us
       FROM outbox_events`,
    );
    const row = rows[0]!;
    return { pending: Number(row['pending']), oldestAgeMs: Number(row['age_us'] ?? 0) / 1000 };
  }
}
