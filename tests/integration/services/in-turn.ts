import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Sends the requests on a stream one at a time, each only once every request before it was
 * answered and `onAnswer` has seen its result, and returns the results in order. The
 * stream stays open meanwhile, so an answer that comes at all shows the server answers each request
 * as it settles it, not at the stream's end.
 */
export async function answersInTurn<T, R>(
  requests: readonly T[],
  call: (requests: AsyncIterable<T>) => AsyncIterable<{ result?: R | undefined }>,
  onAnswer: (result: R) => Promise<void> | void = () => undefined,
): Promise<R[]> {
  const results: R[] = [];
  async function* inTurn() {
    for (const [k, request] of requests.entries()) {
      while (results.length < k) await sleep(10);
      yield request;
    }
  }
  for await (const { result } of call(inTurn())) {
    await onAnswer(result!);
    results.push(result!);
  }
  return results;
}
