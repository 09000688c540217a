import { format } from 'mysql2';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';

/** One statement with its placeholder values. */
export interface Statement {
  sql: string;
  values: (string | number | Buffer | null)[];
}

/**
 * Runs work on one pooled connection, for a transaction the work begins and commits itself (e.g.
 * in multi-statement round trips); rolls back on any error.
 */
export async function onTransactionConnection<T>(
  pool: Pool,
  work: (connection: PoolConnection) => Promise<T>,
): Promise<T> {
  const connection = await pool.getConnection();
  try {
    return await work(connection);
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

/** Runs work in a pessimistic TiDB transaction on one connection; rolls back on any error. */
export function inPessimisticTransaction<T>(
  pool: Pool,
  work: (connection: PoolConnection) => Promise<T>,
): Promise<T> {
  return onTransactionConnection(pool, async (connection) => {
    await connection.query('BEGIN PESSIMISTIC');
    const result = await work(connection);
    await connection.query('COMMIT');
    return result;
  });
}

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string }).code === 'ER_DUP_ENTRY';
}

/**
 * Runs the statements as one pessimistic transaction in a single round trip (the pool must allow
 * multiple statements); returns each statement's result. A failing statement stops the rest, and
 * the transaction is rolled back.
 */
export function inOneRoundTrip(pool: Pool, statements: Statement[]): Promise<ResultSetHeader[]> {
  return onTransactionConnection(pool, async (connection) => {
    const sql = ['BEGIN PESSIMISTIC', ...statements.map((s) => format(s.sql, s.values)), 'COMMIT'].join(
      ';\n',
    );
    const [results] = await connection.query<ResultSetHeader[]>(sql);
    return results.slice(1, 1 + statements.length);
  });
}

/** Sends the statements in one round trip on the connection (its pool must allow multiple statements). */
export async function inRoundTrip(connection: PoolConnection, statements: Statement[]): Promise<unknown[]> {
  const [results] = await connection.query(statements.map((s) => format(s.sql, s.values)).join(';\n'));
  return results as unknown[];
}
