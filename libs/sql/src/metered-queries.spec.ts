import { operationOf } from './metered-queries';

describe('operationOf', () => {
  it('names a statement by its first word, a multi-statement call "batch"', () => {
    expect(operationOf('SELECT * FROM nodes WHERE id = ?')).toBe('select');
    expect(operationOf({ sql: '  insert into t values (?)' })).toBe('insert');
    expect(operationOf('UPDATE t SET a = 1;')).toBe('update');
    expect(operationOf('BEGIN; UPDATE t SET a = 1; INSERT INTO o VALUES (1); COMMIT')).toBe('batch');
    expect(operationOf(undefined)).toBe('unknown');
  });
});
