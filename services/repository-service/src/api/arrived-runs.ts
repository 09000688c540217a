const NOT_YET = Symbol('not yet');

/**
 * Groups the items of a stream into runs, as they arrive: a run takes the next item while it has
 * already arrived (nothing is waited for: a sender that waits for each answer gets it at once) and
 * `joins` accepts it. An item `joins` refuses begins the next run. A run whose first item nothing
 * can join (`opens` says no) is handed over at once, without looking at the next.
 */
export async function* arrivedRuns<T>(
  items: AsyncIterable<T>,
  joins: (run: readonly T[], next: T) => boolean,
  opens: (first: T) => boolean = () => true,
): AsyncIterable<T[]> {
  const iterator = items[Symbol.asyncIterator]();
  // The next item is read while a run is handed over; its failure waits for the next await of it
  // (never an unhandled rejection meanwhile).
  const read = () => {
    const next = iterator.next();
    next.catch(() => undefined);
    return next;
  };
  let pending = read();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const run = [first.value];
      pending = read();
      while (opens(first.value)) {
        const next = await arrivedBy(pending);
        if (next === undefined || next.done || !joins(run, next.value)) break;
        run.push(next.value);
        pending = read();
      }
      yield run;
    }
  } finally {
    // A consumer that stops early closes the items too (once the read under way has settled).
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/**
 * The promise's value when it is already settled, as far as this turn of the event loop can tell
 * (data already received is delivered before timers and I/O run again); otherwise, and when it
 * failed (the next await of it throws), undefined.
 */
async function arrivedBy<T>(promise: Promise<T>): Promise<T | undefined> {
  const notYet = new Promise<typeof NOT_YET>((resolve) => setImmediate(resolve, NOT_YET));
  try {
    const first = await Promise.race([promise, notYet]);
    return first === NOT_YET ? undefined : first;
  } catch {
    return undefined;
  }
}
