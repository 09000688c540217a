import { metrics, type Histogram } from '@opentelemetry/api';
import type { Pool } from 'mysql2/promise';

let queryDuration: Histogram | undefined;

/** `select`, `insert`, … by the statement's first word; `batch` for several statements in one call. */
export function operationOf(statement: unknown): string {
  const text =
    typeof statement === 'string' ? statement : String((statement as { sql?: unknown })?.sql ?? '');
  if (/;\s*\S/.test(text.trim().replace(/;$/, ''))) return 'batch';
  return /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? 'unknown';
}

type Queryable = Pick<Pool, 'query' | 'execute'>;

function meter<T extends Queryable>(target: T): T {
  queryDuration ??= metrics.getMeter('tessera.sql').createHistogram('db.client.operation.duration', {
    description: 'Duration of TiDB queries (round trip, including waiting for a pooled connection)',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] },
  });
  const histogram = queryDuration;
  for (const method of ['query', 'execute'] as const) {
    const original = target[method].bind(target) as (...args: unknown[]) => Promise<unknown>;
    const metered = async (...args: unknown[]) => {
      const startedAt = performance.now();
      let errorType: string | undefined;
      try {
        return await original(...args);
      } catch (error) {
        errorType = (error as { code?: unknown }).code?.toString() ?? '_OTHER';
        throw error;
      } finally {
        // The attributes of the semantic convention db.client.operation.duration.
        histogram.record((performance.now() - startedAt) / 1000, {
          'db.system.name': 'tidb',
          'db.operation.name': operationOf(args[0]),
          ...(errorType !== undefined && { 'error.type': errorType }),
        });
      }
    };
    (target as Record<typeof method, unknown>)[method] = metered;
  }
  return target;
}

/**
 * Records `db_client_operation_duration_seconds{db_system_name,db_operation_name,error_type}` for every query and execute on the
 * pool and on the connections it hands out (transactions).
 */
export function meterQueries(pool: Pool): Pool {
  meter(pool);
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => meter(await getConnection());
  return pool;
}
