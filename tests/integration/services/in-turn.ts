import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The requests one at a time, each only once `answered()` has counted the answers of all before it:
 * a stream that yields through this stays open while the server answers, so an answer that comes
 * shows the server answers each request as it settles it, not at the stream's end.
 */
export async function* inTurn<T>(requests: readonly T[], answered: () => number): AsyncIterable<T> {
  for (const [k, request] of requests.entries()) {
    while (answered() < k) await sleep(10);
    yield request;
  }
}
