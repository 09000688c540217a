import { transferOf, UsageError } from './cli-args';

describe('--transfer and --direct', () => {
  it('reads each way, --direct as direct, and nothing as the SDK default', () => {
    expect(transferOf('auto', false)).toBe('auto');
    expect(transferOf('streamed', false)).toBe('streamed');
    expect(transferOf(undefined, true)).toBe('direct');
    expect(transferOf('direct', true)).toBe('direct');
    expect(transferOf(undefined, false)).toBeUndefined();
  });

  it('refuses an unknown way and a contradiction, naming the flags', () => {
    expect(() => transferOf('fast', false)).toThrow(
      new UsageError('--transfer must be one of auto, direct, streamed, got fast'),
    );
    expect(() => transferOf('streamed', true)).toThrow(/--direct and --transfer streamed/);
  });
});
