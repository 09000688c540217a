import { progressText } from './progress-line';

const MiB = 1024 * 1024;

describe('progressText', () => {
  it('shows bytes, share, rate and ETA when the total is known', () => {
    expect(progressText(16 * MiB, 64 * MiB, 2)).toBe('16.0 / 64.0 MiB  25.0%  8.0 MiB/s  ETA 6 s');
  });

  it('leaves out the share and ETA when the total is unknown or nothing moved yet', () => {
    expect(progressText(3 * MiB, undefined, 1)).toBe('3.0 MiB  3.0 MiB/s');
    expect(progressText(0, 64 * MiB, 0)).toBe('0.0 / 64.0 MiB  0.0%  0.0 MiB/s');
  });
});
