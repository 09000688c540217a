import { createHash } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';

/**
 * One schema change. TiDB commits each DDL statement on its own, so a migration that fails halfway
 * is not rolled back: keep one DDL statement per migration, or make the statements idempotent
 * (`IF NOT EXISTS`).
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export interface MigrateOptions {
  database: string;
  migrations: readonly Migration[];
  /** How long to wait for another instance that is migrating the same database. */
  lockTimeoutSeconds: number;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.statements.join('\n;\n')).digest('hex');
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new MigrationError(`invalid database name ${name}`);
  return `\`${name}\``;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && migration.version <= previous.version) {
      throw new MigrationError(`migration ${migration.version} is out of order (after ${previous.version})`);
    }
  });
}

async function withLock<T>(
  connection: PoolConnection,
  lock: string,
  timeoutSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS acquired', [
    lock,
    timeoutSeconds,
  ]);
  if (Number(rows[0]?.['acquired']) !== 1) {
    throw new MigrationError(
      `another instance held the migration lock ${lock} for more than ${timeoutSeconds}s`,
    );
  }
  try {
    return await work();
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [lock]);
  }
}

/**
 * Brings the database to the latest schema: creates it when missing, applies the migrations not yet
 * recorded in `schema_migrations`, in order, under a lock so that replicas starting together apply
 * each migration once. Refuses to run when an applied migration was edited afterwards.
 * Returns the versions applied by this call.
 */
export async function migrate(pool: Pool, options: MigrateOptions): Promise<number[]> {
  checkOrder(options.migrations);
  const database = quoteIdentifier(options.database);
  const connection = await pool.getConnection();
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
    await connection.query(`USE ${database}`);
    return await withLock(connection, `${options.database}.migrations`, options.lockTimeoutSeconds, () =>
      applyPending(connection, options.migrations),
    );
  } finally {
    connection.release();
  }
}

async function applyPending(connection: PoolConnection, migrations: readonly Migration[]): Promise<number[]> {
  await connection.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL,
       applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
  );
  const [rows] = await connection.query<RowDataPacket[]>('SELECT version, checksum FROM schema_migrations');
  const applied = new Map(rows.map((row) => [Number(row['version']), String(row['checksum'])]));
  const appliedNow: number[] = [];
  for (const migration of migrations) {
    const checksum = checksumOf(migration);
    const recorded = applied.get(migration.version);
    if (recorded !== undefined) {
      if (recorded !== checksum) {
        throw new MigrationError(
          `migration ${migration.version} (${migration.name}) was changed after it was applied`,
        );
      }
      continue;
    }
    for (const statement of migration.statements) {
      try {
        await connection.query(statement);
      } catch (error) {
        throw new MigrationError(
          `migration ${migration.version} (${migration.name}) failed: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    await connection.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', [
      migration.version,
      migration.name,
      checksum,
    ]);
    appliedNow.push(migration.version);
  }
  return appliedNow;
}
