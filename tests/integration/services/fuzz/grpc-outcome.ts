import { status, type ServiceError } from '@grpc/grpc-js';
import type { Outcome } from './fuzz-case';
import { CALL_DEADLINE_MS } from './raw-grpc-client';

/** Call options with the deadline every fuzzed call gets. */
export const withDeadline = () => ({ deadline: Date.now() + CALL_DEADLINE_MS });

/** The outcome of a call made with a typed client (callUnary and friends). */
export async function outcomeOfCall<T>(call: Promise<T>): Promise<{ outcome: Outcome; value?: T }> {
  try {
    const value = await call;
    return { outcome: { kind: 'grpc', code: status.OK, details: '', retryAfter: undefined }, value };
  } catch (error) {
    const failure = error as Partial<ServiceError>;
    if (typeof failure.code !== 'number') throw error;
    const retryAfter = failure.metadata?.get('retry-after')[0];
    return {
      outcome: {
        kind: 'grpc',
        code: failure.code,
        details: failure.details ?? '',
        retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
      },
    };
  }
}
