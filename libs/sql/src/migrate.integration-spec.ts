import type { Pool, RowDataPacket } from 'mysql2/promise';
import { stackEndpoints } from '@tessera/testing';
import { migrate, MigrationError, type Migration } from './migrate';
import { createTidbPool } from './tidb-pool';

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'items',
    statements: ['CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL)'],
  },
  {
    version: 2,
    name: 'items size',
    statements: ['ALTER TABLE items ADD COLUMN size BIGINT UNSIGNED NOT NULL DEFAULT 0'],
  },
];

describe('migrate against TiDB', () => {
  const { tidb } = stackEndpoints();
  const pools: Pool[] = [];
  let run = 0;

  function freshDatabase(): { database: string; pool: () => Pool } {
    const database = `migrate_test_${Date.now()}_${run++}`;
    return {
      database,
      pool: () => {
        const pool = createTidbPool({ ...tidb, password: '', database, connectionLimit: 2 }, false);
        pools.push(pool);
        return pool;
      },
    };
  }

  afterAll(() => Promise.all(pools.map((pool) => pool.end())));

  it('creates the database, applies pending migrations in order, and is a no-op the second time', async () => {
    const { database, pool } = freshDatabase();
    const options = { database, migrations: MIGRATIONS, lockTimeoutSeconds: 10 };
    const connection = pool();
    expect(await migrate(connection, options)).toEqual([1, 2]);
    expect(await migrate(connection, options)).toEqual([]);
    await connection.query(
      `INSERT INTO ${database}.items (id, name, size) VALUES (1, 'a', 18446744073709551615)`,
    );
    const [rows] = await connection.query<RowDataPacket[]>(`SELECT size FROM ${database}.items`);
    expect(rows[0]?.['size']).toBe('18446744073709551615');
  });

  it('applies each migration once when several replicas start together', async () => {
    const { database, pool } = freshDatabase();
    const results = await Promise.all(
      [pool(), pool(), pool()].map((replica) =>
        migrate(replica, { database, migrations: MIGRATIONS, lockTimeoutSeconds: 30 }),
      ),
    );
    expect(results.flat().sort()).toEqual([1, 2]);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const { database, pool } = freshDatabase();
    const connection = pool();
    await migrate(connection, { database, migrations: MIGRATIONS, lockTimeoutSeconds: 10 });
    const edited = [
      { ...MIGRATIONS[0]!, statements: ['CREATE TABLE items (id INT PRIMARY KEY)'] },
      MIGRATIONS[1]!,
    ];
    await expect(
      migrate(connection, { database, migrations: edited, lockTimeoutSeconds: 10 }),
    ).rejects.toThrow('migration 1 (items) was changed after it was applied');
  });

  it('names the failing migration and does not record it', async () => {
    const { database, pool } = freshDatabase();
    const connection = pool();
    const broken = [
      ...MIGRATIONS,
      { version: 3, name: 'broken', statements: ['ALTER TABLE nowhere ADD COLUMN x INT'] },
    ];
    const failure = migrate(connection, { database, migrations: broken, lockTimeoutSeconds: 10 });
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow('migration 3 (broken) failed');
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT version FROM ${database}.schema_migrations ORDER BY version`,
    );
    expect(rows.map((row) => Number(row['version']))).toEqual([1, 2]);
  });

  it('refuses migrations out of order before touching the database', async () => {
    const { database, pool } = freshDatabase();
    const reversed = [MIGRATIONS[1]!, MIGRATIONS[0]!];
    await expect(migrate(pool(), { database, migrations: reversed, lockTimeoutSeconds: 10 })).rejects.toThrow(
      'out of order',
    );
  });
});
