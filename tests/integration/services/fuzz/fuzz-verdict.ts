import { status } from '@grpc/grpc-js';
import type { FuzzCase, Outcome } from './fuzz-case';

/** gRPC statuses that tell a client what happened to its request (with a message saying why). */
const CLEAR_STATUSES: ReadonlySet<number> = new Set([
  status.OK,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.RESOURCE_EXHAUSTED,
  status.ALREADY_EXISTS,
  status.ABORTED,
]);

/**
 * UNAVAILABLE answers the docs name as "retry later" (docs/upload.md): a chunk or completion racing
 * another stream, and new uploads while the metadata cache is down. They carry a retry-after hint.
 * Any other UNAVAILABLE from a healthy stack is a violation.
 */
const DOCUMENTED_RETRIES = [
  /is being written by another stream; retry/,
  /is being completed by an earlier CompleteUpload/,
  /are still being written; retry/,
  /new uploads are refused while the metadata cache/,
];

/**
 * INVALID_ARGUMENT messages start with the field they are about: "upload_id: must be a UUID", or a
 * field of a repeated message, "chunks[0].size: ...".
 */
const NAMES_A_FIELD = /^[a-z][a-z0-9_]*(\[.*\])?(\.[a-z][a-z0-9_]*)?( key)?: \S/s;

const NAMES = Object.fromEntries(Object.entries(status).map(([name, code]) => [code, name]));

export function statusName(code: number): string {
  return NAMES[code] ?? String(code);
}

function grpcViolation(fuzzCase: FuzzCase, code: number, details: string, retryAfter?: string) {
  const documentedRetry =
    code === status.UNAVAILABLE &&
    retryAfter !== undefined &&
    DOCUMENTED_RETRIES.some((pattern) => pattern.test(details));
  // DATA_LOSS is the documented answer to a client's SHA-256 that the bytes do not match.
  const checksumMismatch = code === status.DATA_LOSS && details.includes('sha256');
  const allowed =
    CLEAR_STATUSES.has(code) || fuzzCase.alsoAllowed?.includes(code) || documentedRetry || checksumMismatch;
  if (!allowed) return `unclear status ${statusName(code)}`;
  if (code !== status.OK && details.trim() === '') return `${statusName(code)} without a message`;
  if (code === status.INVALID_ARGUMENT && !NAMES_A_FIELD.test(details))
    return 'INVALID_ARGUMENT whose message names no field';
  return undefined;
}

function httpViolation(outcome: Extract<Outcome, { kind: 'http' }>) {
  const { status: code, body, retryAfter, method } = outcome;
  const backpressure = code === 503 && retryAfter !== undefined;
  if (code >= 500 && !backpressure) return `HTTP ${code}`;
  if (code < 200 || (code >= 300 && code < 400)) return `unexpected HTTP ${code}`;
  // HEAD has no body; 416 answers with Content-Range only (docs/read-path.md).
  const bodyless = method === 'HEAD' || code === 416 || code === 204;
  if (code >= 400 && !bodyless && body.trim() === '') return `HTTP ${code} without a body`;
  return undefined;
}

/** What is wrong with an outcome of a case, or undefined when it is a clear, timely answer. */
export function violationOf(fuzzCase: FuzzCase, outcome: Outcome): string | undefined {
  const accepted =
    (outcome.kind === 'http' && outcome.status < 300) ||
    (outcome.kind === 'grpc' && outcome.code === status.OK);
  if (fuzzCase.mustRefuse && accepted) return 'accepted a request it must refuse';
  switch (outcome.kind) {
    case 'grpc':
      if (outcome.code === status.DEADLINE_EXCEEDED) return 'hang: DEADLINE_EXCEEDED';
      return grpcViolation(fuzzCase, outcome.code, outcome.details, outcome.retryAfter);
    case 'http':
      return httpViolation(outcome);
    case 'cancelled-by-client':
      return undefined;
    case 'closed':
      return fuzzCase.mayClose ? undefined : `connection closed without an answer (${outcome.error})`;
    case 'timeout':
      return `hang: no answer within ${outcome.afterMs} ms`;
  }
}

/** A one-line description of an outcome, for the report. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'grpc':
      return `${statusName(outcome.code)} "${outcome.details.slice(0, 200)}"`;
    case 'http':
      return `HTTP ${outcome.status} ${outcome.body.slice(0, 200)}`;
    case 'cancelled-by-client':
      return 'cancelled by the client';
    case 'closed':
      return `closed: ${outcome.error}`;
    case 'timeout':
      return `timeout after ${outcome.afterMs} ms`;
  }
}
