const MiB = 1024 * 1024;

export interface ProgressLine {
  update(bytesDone: number): void;
  finish(): void;
}

/** `12.0 / 64.0 MiB  18.8%  41.2 MiB/s  ETA 1 s`; the total and the ETA are left out when unknown. */
export function progressText(bytesDone: number, totalBytes: number | undefined, seconds: number): string {
  const rate = seconds > 0 ? bytesDone / seconds : 0;
  const parts = [
    `${(bytesDone / MiB).toFixed(1)}${totalBytes === undefined ? '' : ` / ${(totalBytes / MiB).toFixed(1)}`} MiB`,
  ];
  if (totalBytes) parts.push(`${((100 * bytesDone) / totalBytes).toFixed(1)}%`);
  parts.push(`${(rate / MiB).toFixed(1)} MiB/s`);
  if (totalBytes && rate > 0) parts.push(`ETA ${Math.ceil((totalBytes - bytesDone) / rate)} s`);
  return parts.join('  ');
}

/**
 * Progress of a transfer on stderr: redrawn in place on a terminal (at most 10 times a second),
 * silent otherwise, so pipes and logs get only the result line.
 */
export function progressLine(label: string, totalBytes: number | undefined): ProgressLine {
  const started = performance.now();
  const terminal = process.stderr.isTTY === true;
  let lastDrawn = 0;
  const draw = (bytesDone: number) =>
    process.stderr.write(
      `\r${label}  ${progressText(bytesDone, totalBytes, (performance.now() - started) / 1000)}\x1b[K`,
    );
  return {
    update(bytesDone) {
      if (!terminal || performance.now() - lastDrawn < 100) return;
      lastDrawn = performance.now();
      draw(bytesDone);
    },
    finish() {
      if (terminal) process.stderr.write('\r\x1b[K');
    },
  };
}
