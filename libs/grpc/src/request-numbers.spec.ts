import { ErrorCode } from '@tessera/errors';
import { optionalNumber } from './request-numbers';

describe('optionalNumber', () => {
  it('passes unset fields and every safe integer through', () => {
    expect(optionalNumber('version', undefined)).toBeUndefined();
    expect(optionalNumber('version', 0n)).toBe(0);
    expect(optionalNumber('offset', 2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([-1n, -(2n ** 63n), 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n])(
    'refuses %s, which a JS number cannot hold exactly, naming the field',
    (value) => {
      expect(() => optionalNumber('version', value)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidArgument, message: 'version: is out of range' }),
      );
    },
  );
});
