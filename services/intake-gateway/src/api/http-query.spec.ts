import { ErrorCode } from '@tessera/errors';
import { queryText } from './http-query';

describe('queryText', () => {
  it('takes a parameter given once, or not at all', () => {
    expect(queryText('name', 'a.bin')).toBe('a.bin');
    expect(queryText('name', '')).toBe('');
    expect(queryText('name', undefined)).toBeUndefined();
  });

  it.each([[['a', 'b']], [{ x: '1' }]])('refuses %j (a repeated or nested parameter) naming it', (value) => {
    expect(() => queryText('name', value)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument, message: 'name: must be given once' }),
    );
  });
});
