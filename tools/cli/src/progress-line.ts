import { TransferRate, type Clock } from './transfer-rate';

const MiB = 1024 * 1024;
const BAR_WIDTH = 24;

export interface ProgressLine {
  update(bytesDone: number): void;
  finish(): void;
}

/**
 * `12.0 / 64.0 MiB  18.8%  41.2 MiB/s  ETA 1 s`; what is unknown is left out (the rate and ETA
 * until a rate has been measured).
 */
export function progressText(
  bytesDone: number,
  totalBytes: number | undefined,
  bytesPerSecond: number | undefined,
): string {
  const parts = [
    `${(bytesDone / MiB).toFixed(1)}${totalBytes === undefined ? '' : ` / ${(totalBytes / MiB).toFixed(1)}`} MiB`,
  ];
  if (totalBytes) parts.push(`${((100 * bytesDone) / totalBytes).toFixed(1)}%`);
  if (bytesPerSecond !== undefined) parts.push(`${(bytesPerSecond / MiB).toFixed(1)} MiB/s`);
  if (totalBytes && bytesPerSecond)
    parts.push(`ETA ${Math.ceil(Math.max(totalBytes - bytesDone, 0) / bytesPerSecond)} s`);
  return parts.join('  ');
}

export function progressBar(bytesDone: number, totalBytes: number | undefined): string {
  if (!totalBytes) return '';
  const filled = Math.min(BAR_WIDTH, Math.floor((BAR_WIDTH * bytesDone) / totalBytes));
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]  `;
}

/**
 * Progress of a transfer on stderr. On a terminal: a bar redrawn in place (at most 10 times a
 * second). Otherwise plain lines for logs: one per 10 % of a known total, or every 5 s. The rate
 * is the speed over the last 5 s, shown once a second of the transfer has been seen.
 */
export function progressLine(
  label: string,
  totalBytes: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
  clock: Clock = () => performance.now(),
): ProgressLine {
  const rate = new TransferRate(clock);
  const text = (bytesDone: number) =>
    `${label}  ${progressText(bytesDone, totalBytes, rate.bytesPerSecond())}`;
  if (stream.isTTY === true) {
    let lastDrawn = -Infinity;
    return {
      update(bytesDone) {
        rate.record(bytesDone);
        if (clock() - lastDrawn < 100) return;
        lastDrawn = clock();
        stream.write(`\r${progressBar(bytesDone, totalBytes)}${text(bytesDone)}\x1b[K`);
      },
      finish: () => stream.write('\r\x1b[K'),
    };
  }
  let nextTenth = 1;
  let lastLine = clock();
  return {
    update(bytesDone) {
      rate.record(bytesDone);
      const tenth = totalBytes ? Math.floor((10 * bytesDone) / totalBytes) : 0;
      const due = totalBytes ? tenth >= nextTenth : clock() - lastLine >= 5000;
      if (!due) return;
      nextTenth = tenth + 1;
      lastLine = clock();
      stream.write(`${text(bytesDone)}\n`);
    },
    finish: () => undefined,
  };
}
