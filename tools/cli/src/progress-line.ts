const MiB = 1024 * 1024;
const BAR_WIDTH = 24;

export interface ProgressLine {
  update(bytesDone: number): void;
  finish(): void;
}

/** `[######------]  12.0 / 64.0 MiB  18.8%  41.2 MiB/s  ETA 1 s`; what is unknown is left out. */
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

export function progressBar(bytesDone: number, totalBytes: number | undefined): string {
  if (!totalBytes) return '';
  const filled = Math.min(BAR_WIDTH, Math.floor((BAR_WIDTH * bytesDone) / totalBytes));
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]  `;
}

/**
 * Progress of a transfer on stderr. On a terminal: a bar redrawn in place (at most 10 times a
 * second). Otherwise plain lines for logs: one per 10 % of a known total, or every 5 s.
 */
export function progressLine(
  label: string,
  totalBytes: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressLine {
  const started = performance.now();
  const text = (bytesDone: number) =>
    `${label}  ${progressText(bytesDone, totalBytes, (performance.now() - started) / 1000)}`;
  if (stream.isTTY === true) {
    let lastDrawn = 0;
    return {
      update(bytesDone) {
        if (performance.now() - lastDrawn < 100) return;
        lastDrawn = performance.now();
        stream.write(`\r${progressBar(bytesDone, totalBytes)}${text(bytesDone)}\x1b[K`);
      },
      finish: () => stream.write('\r\x1b[K'),
    };
  }
  let nextTenth = 1;
  let lastLine = performance.now();
  return {
    update(bytesDone) {
      const tenth = totalBytes ? Math.floor((10 * bytesDone) / totalBytes) : 0;
      const due = totalBytes ? tenth >= nextTenth : performance.now() - lastLine >= 5000;
      if (!due) return;
      nextTenth = tenth + 1;
      lastLine = performance.now();
      stream.write(`${text(bytesDone)}\n`);
    },
    finish: () => undefined,
  };
}
