/**
 * Items of a source iterable, the first ones kept until `settled()`: a call that fails before
 * anything was answered (a repository service without RelayChunks) can then be made again some
 * other way with what it had already taken (`replay()`). Until settled, ending the iteration early
 * does not close the source, which the replay still needs; `close()` does.
 */
export class ReplayableChunks<T> implements AsyncIterable<T> {
  private readonly source: AsyncIterator<T>;
  private state: 'keeping' | 'settled' | 'replaying' = 'keeping';
  private readonly taken: T[] = [];
  /** The last read of the source, which may still be waiting for an item that is to be kept. */
  private reading: Promise<unknown> = Promise.resolve();

  constructor(source: AsyncIterable<T>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Something was answered: what was taken is no longer kept. */
  settled(): void {
    if (this.state !== 'keeping') return;
    this.state = 'settled';
    this.taken.length = 0;
  }

  /** What was taken before settled(), then the rest of the source. */
  async *replay(): AsyncIterable<T> {
    await this.reading;
    this.state = 'replaying';
    yield* this.taken.splice(0);
    for (let next = await this.source.next(); !next.done; next = await this.source.next()) yield next.value;
  }

  /** Closes the source (its generator runs its cleanup). */
  async close(): Promise<void> {
    await this.source.return?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const next = this.source.next().then((item) => {
          if (!item.done && this.state === 'keeping') this.taken.push(item.value);
          return item;
        });
        this.reading = next.catch(() => undefined);
        return next;
      },
      return: async () => {
        if (this.state === 'settled') await this.source.return?.();
        return { done: true, value: undefined };
      },
    };
  }
}
