import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { stackEndpoints } from '@tessera/testing';

describe('TiDB (real server)', () => {
  const { tidb } = stackEndpoints();
  let connection: Connection;

  beforeAll(async () => {
    connection = await createConnection({ host: tidb.host, port: tidb.port, user: tidb.user });
  });

  afterAll(() => connection.end());

  it('is TiDB, not another MySQL', async () => {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT tidb_version() AS version');
    expect(rows[0]?.['version']).toContain('Release Version');
    expect(rows[0]?.['version']).toContain('Store: unistore');
  });

  it('round-trips a table through mysql2', async () => {
    await connection.query('CREATE DATABASE IF NOT EXISTS tessera_smoke');
    await connection.query(
      'CREATE TABLE IF NOT EXISTS tessera_smoke.items (id VARCHAR(36) PRIMARY KEY, payload JSON, size BIGINT UNSIGNED)',
    );
    const id = `item-${Date.now()}`;
    await connection.execute('INSERT INTO tessera_smoke.items (id, payload, size) VALUES (?, ?, ?)', [
      id,
      JSON.stringify({ name: 'a.bin' }),
      '18446744073709551615',
    ]);
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT payload, CAST(size AS CHAR) AS size FROM tessera_smoke.items WHERE id = ?',
      [id],
    );
    expect(rows[0]).toEqual({ payload: { name: 'a.bin' }, size: '18446744073709551615' });
  });
});
