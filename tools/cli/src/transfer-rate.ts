/** Milliseconds from some fixed origin; `performance.now()` in the CLI, a fake in tests. */
export type Clock = () => number;

export interface TransferRateOptions {
  /** The rate is the bytes moved over (about) the last this many ms. */
  windowMs: number;
  /** No rate until readings span this long: a first range or chunk lands all at once. */
  minimumMs: number;
}

interface Reading {
  atMs: number;
  bytes: number;
}

/** Readings kept at most this often, so a fast stream of updates keeps a short list. */
const READING_SPACING_MS = 100;

/**
 * The speed of a transfer over a sliding window of its last seconds (as aws-cli and rclone show
 * it). The first reading is the baseline: bytes done before it (a whole first range, chunks of a
 * resumed upload) arrived in no time this process saw, so they never count towards a rate.
 */
export class TransferRate {
  private readonly readings: Reading[] = [];
  private latest: Reading | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: TransferRateOptions = { windowMs: 5_000, minimumMs: 1_000 },
  ) {}

  /** Records that `bytesDone` bytes are done by now. */
  record(bytesDone: number): void {
    const reading = { atMs: this.clock(), bytes: bytesDone };
    this.latest = reading;
    const last = this.readings.at(-1);
    if (last === undefined || reading.atMs - last.atMs >= READING_SPACING_MS) this.readings.push(reading);
    // Keep one reading at or before the window's start, so the window is covered whole.
    const windowStart = reading.atMs - this.options.windowMs;
    while (this.readings.length > 2 && this.readings[1]!.atMs <= windowStart) this.readings.shift();
  }

  /** Bytes per second over the window; undefined until the readings span `minimumMs`. */
  bytesPerSecond(): number | undefined {
    const oldest = this.readings[0];
    const latest = this.latest;
    if (oldest === undefined || latest === undefined) return undefined;
    const spanMs = latest.atMs - oldest.atMs;
    if (spanMs < this.options.minimumMs) return undefined;
    return ((latest.bytes - oldest.bytes) * 1000) / spanMs;
  }
}
