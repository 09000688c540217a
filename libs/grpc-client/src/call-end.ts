export const CALL_ENDED = Symbol('call ended');

/**
 * Waits for something or for the call's end, whichever comes first. Not Promise.race against the
 * call's promise: each race leaves a reaction on that promise which keeps the raced value (a
 * request, with its chunk) reachable until the call ends, so a stream held every chunk it sent.
 */
export class CallEnd {
  private hasEnded = false;
  private wake: (() => void) | undefined;

  constructor(call: Promise<unknown>) {
    const end = () => {
      this.hasEnded = true;
      this.wake?.();
    };
    call.then(end, end);
  }

  get ended(): boolean {
    return this.hasEnded;
  }

  or<T>(work: Promise<T>): Promise<T | typeof CALL_ENDED> {
    if (this.hasEnded) {
      // Nobody waits for the work any more: its failure (e.g. the read of a request stream that
      // failed with the call) must not become an unhandled rejection, which ends the process.
      work.catch(() => undefined);
      return Promise.resolve(CALL_ENDED);
    }
    return new Promise<T | typeof CALL_ENDED>((resolve, reject) => {
      this.wake = () => resolve(CALL_ENDED);
      work.then(resolve, reject);
    }).finally(() => (this.wake = undefined));
  }
}
