/** How a fuzzed call ended. */
export type Outcome =
  /** A gRPC status (OK included). */
  | { kind: 'grpc'; code: number; details: string; retryAfter: string | undefined }
  /** An HTTP response: status, body and the Retry-After header. */
  | { kind: 'http'; status: number; body: string; retryAfter: string | undefined; method: string }
  /** The client cancelled the call itself before any answer (nothing to judge but liveness). */
  | { kind: 'cancelled-by-client' }
  /** The server closed the connection without answering. */
  | { kind: 'closed'; error: string }
  /** No answer within the deadline: a hang. */
  | { kind: 'timeout'; afterMs: number };

export type Family = 'malformed-protobuf' | 'hostile-fields' | 'oversized' | 'truncated-streams' | 'http';

/** One generated case: everything it sends is fixed when it is generated (from the seed). */
export interface FuzzCase {
  family: Family;
  /** What it sends, short, for the violation report. */
  name: string;
  /** Statuses this case may end with besides the ones every case may (see fuzz-verdict.ts). */
  alsoAllowed?: readonly number[];
  /** This case may end with the server closing the connection (e.g. a request cut short on purpose). */
  mayClose?: boolean;
  /** The request is invalid as a whole: a 2xx answer (or OK) is a violation too. */
  mustRefuse?: boolean;
  /** Sends tens of MiB: run with few others at once. */
  heavy?: boolean;
  /** Sends it; several calls (a lifecycle) report each outcome. */
  run(): Promise<Outcome | Outcome[]>;
}
