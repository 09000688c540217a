import { PassThrough } from 'node:stream';
import { progressBar, progressLine, progressText } from './progress-line';

const MiB = 1024 * 1024;

function captured(isTTY: boolean) {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  (stream as { isTTY: boolean }).isTTY = isTTY;
  let text = '';
  stream.on('data', (piece: Buffer) => (text += piece.toString()));
  return { stream, text: () => text };
}

describe('progress', () => {
  it('shows bytes, share, rate and ETA when the total is known', () => {
    expect(progressText(16 * MiB, 64 * MiB, 8 * MiB)).toBe('16.0 / 64.0 MiB  25.0%  8.0 MiB/s  ETA 6 s');
  });

  it('leaves out the share and ETA when the total is unknown, the rate and ETA before one is measured', () => {
    expect(progressText(3 * MiB, undefined, 3 * MiB)).toBe('3.0 MiB  3.0 MiB/s');
    expect(progressText(16 * MiB, 64 * MiB, undefined)).toBe('16.0 / 64.0 MiB  25.0%');
    expect(progressText(0, 64 * MiB, 0)).toBe('0.0 / 64.0 MiB  0.0%  0.0 MiB/s');
  });

  it('draws a bar of the share done', () => {
    expect(progressBar(12, 48)).toBe(`[${'#'.repeat(6)}${'-'.repeat(18)}]  `);
    expect(progressBar(5, undefined)).toBe('');
  });

  it('writes a plain line per tenth of the total when stderr is not a terminal', async () => {
    const out = captured(false);
    const line = progressLine('uploading a', 100, out.stream);
    for (let bytes = 1; bytes <= 100; bytes++) line.update(bytes);
    line.finish();
    await new Promise((resolve) => setImmediate(resolve));
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^uploading a {2}0\.0 \/ 0\.0 MiB {2}10\.0%/);
    expect(out.text()).not.toContain('\r');
  });

  it('redraws one line in place on a terminal', async () => {
    const out = captured(true);
    const line = progressLine('downloading n', 100, out.stream);
    line.update(50);
    line.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toMatch(/^\r\[#{12}-{12}\] {2}downloading n {2}0\.0 \/ 0\.0 MiB {2}50\.0%/);
    expect(out.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('shows no rate for a first range that lands at once, then the speed of the last seconds', async () => {
    const out = captured(false);
    let nowMs = 0;
    const line = progressLine('downloading n', 64 * MiB, out.stream, () => nowMs);
    line.update(16 * MiB); // a whole 16 MiB range, the moment the line is made
    for (let tenth = 1; tenth <= 24; tenth++) {
      nowMs = tenth * 100;
      line.update(16 * MiB + tenth * 2 * MiB); // then 20 MiB/s
    }
    await new Promise((resolve) => setImmediate(resolve));
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('downloading n  16.0 / 64.0 MiB  25.0%');
    expect(lines.at(-1)).toBe('downloading n  64.0 / 64.0 MiB  100.0%  20.0 MiB/s  ETA 0 s');
    expect(out.text()).not.toMatch(/\d{4,}\.\d MiB\/s/);
  });
});
