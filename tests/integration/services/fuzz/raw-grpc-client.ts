import { Client, credentials, Metadata, status, type StatusObject } from '@grpc/grpc-js';
import type { Outcome } from './fuzz-case';

/**
 * Every call gets this deadline: running into it means the server hung. With a CPU hog on both
 * cores and the 20,000-chunk upload beside the fuzz, TiDB itself took 3–6.5 s for single statements
 * of the fuzz's database (its slow-query log; a plain SELECT without locks 3.3 s), so a call of two
 * or three statements passed 10 s without anything stuck (docs/development.md, flakes).
 */
export const CALL_DEADLINE_MS = 30_000;
/** Slack after the deadline before the client itself gives up waiting for a status. */
const LOCAL_GRACE_MS = 5_000;

const identity = (bytes: Buffer) => bytes;

export interface RawCallOptions {
  /** The client cancels the call this long after starting it. */
  cancelAfterMs?: number;
  /** The client half-closes its side only if true (default); false leaves the stream open until cancelled. */
  end?: boolean;
  /** Receives each response message's bytes. */
  onResponse?: (bytes: Buffer) => void;
}

/**
 * A gRPC client that sends request bytes as they are (no serialisation), so it can send anything
 * on any method path: malformed messages, several messages to a unary method, none at all. Every
 * call is a bidirectional stream, which grpc-js allows on any path; responses are read and dropped.
 */
export class RawGrpcClient {
  private readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1,
    });
  }

  close(): void {
    this.client.close();
  }

  call(path: string, messages: readonly Buffer[], options: RawCallOptions = {}): Promise<Outcome> {
    const { cancelAfterMs, end = true, onResponse = () => undefined } = options;
    return new Promise((resolve) => {
      const call = this.client.makeBidiStreamRequest(path, identity, identity, new Metadata(), {
        deadline: Date.now() + CALL_DEADLINE_MS,
      });
      const timers: NodeJS.Timeout[] = [];
      const finish = (outcome: Outcome) => {
        timers.forEach(clearTimeout);
        resolve(outcome);
      };
      timers.push(
        setTimeout(
          () => finish({ kind: 'timeout', afterMs: CALL_DEADLINE_MS + LOCAL_GRACE_MS }),
          CALL_DEADLINE_MS + LOCAL_GRACE_MS,
        ),
      );
      if (cancelAfterMs !== undefined) timers.push(setTimeout(() => call.cancel(), cancelAfterMs));
      call.on('data', onResponse);
      call.on('error', () => undefined); // the status event below reports it
      call.on('status', (received: StatusObject) => finish(outcomeOf(received)));
      for (const message of messages) call.write(message);
      if (end) call.end();
    });
  }
}

function outcomeOf(received: StatusObject): Outcome {
  const retryAfter = received.metadata?.get('retry-after')[0];
  return {
    kind: 'grpc',
    code: received.code,
    details: received.code === status.OK ? '' : received.details,
    retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
  };
}
