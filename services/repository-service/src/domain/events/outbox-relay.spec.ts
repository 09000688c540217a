import type { EventPublisher, Outbox, OutboxRecord } from '../ports/outbox.port';
import { OutboxRelay, type RelayObserver } from './outbox-relay';

function record(position: number): OutboxRecord {
  return {
    position: String(position),
    eventId: `e${position}`,
    key: 'node',
    type: 'tessera.events.v1.UploadAborted',
    payload: new Uint8Array(),
    traceContext: {},
    createdAt: new Date(),
  };
}

/** An in-memory outbox with the TiDB outbox's contract: a batch is removed only once published. */
class MemoryOutbox implements Outbox {
  constructor(public pending: OutboxRecord[]) {}
  busy = false;

  async drain(limit: number, publish: (records: readonly OutboxRecord[]) => Promise<void>) {
    if (this.busy) return 'busy' as const;
    const batch = this.pending.slice(0, limit);
    if (batch.length === 0) return 0;
    await publish(batch);
    this.pending = this.pending.slice(batch.length);
    return batch.length;
  }

  async backlog() {
    return { pending: this.pending.length, oldestAgeMs: 0 };
  }
}

class FlakyPublisher implements EventPublisher {
  published: string[] = [];
  failuresLeft = 0;

  async publish(records: readonly OutboxRecord[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('broker unreachable');
    }
    this.published.push(...records.map((r) => r.eventId));
  }
}

function recordingObserver() {
  const calls: string[] = [];
  const observer: RelayObserver = {
    published: (count) => calls.push(`published ${count}`),
    publishFailed: (_error, failures) => calls.push(`failed ${failures}`),
    recovered: (after) => calls.push(`recovered after ${after}`),
  };
  return { calls, observer };
}

const OPTIONS = { batchSize: 2, idleDelayMs: 50, initialBackoffMs: 100, maxBackoffMs: 350 };

/** Runs the relay until it has paused `rounds` times; returns the pauses it asked for. */
async function runRounds(outbox: Outbox, publisher: EventPublisher, observer: RelayObserver, rounds: number) {
  const delays: number[] = [];
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const relay = new OutboxRelay(outbox, publisher, OPTIONS, observer, async (ms) => {
    delays.push(ms);
    if (delays.length === rounds) finished();
    await new Promise((resolve) => setImmediate(resolve));
  });
  relay.start();
  await done;
  await relay.stop();
  return delays;
}

describe('OutboxRelay', () => {
  it('publishes in outbox order, batch by batch, with no pause while batches are full', async () => {
    const outbox = new MemoryOutbox([1, 2, 3, 4, 5].map(record));
    const publisher = new FlakyPublisher();
    const delays = await runRounds(outbox, publisher, recordingObserver().observer, 4);
    expect(publisher.published).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(delays).toEqual([0, 0, OPTIONS.idleDelayMs, OPTIONS.idleDelayMs]);
  });

  it('keeps failed batches, backs off exponentially up to the limit, and reports the recovery', async () => {
    const outbox = new MemoryOutbox([1, 2].map(record));
    const publisher = new FlakyPublisher();
    publisher.failuresLeft = 4;
    const { calls, observer } = recordingObserver();
    const delays = await runRounds(outbox, publisher, observer, 6);
    expect(delays).toEqual([100, 200, 350, 350, 0, OPTIONS.idleDelayMs]);
    expect(publisher.published).toEqual(['e1', 'e2']);
    expect(calls).toEqual([
      'failed 1',
      'failed 2',
      'failed 3',
      'failed 4',
      'published 2',
      'recovered after 4',
    ]);
  });

  it('waits while another relay holds the outbox', async () => {
    const outbox = new MemoryOutbox([record(1)]);
    outbox.busy = true;
    const relay = new OutboxRelay(outbox, new FlakyPublisher(), OPTIONS, recordingObserver().observer);
    expect(await relay.relayOnce()).toBe('busy');
    expect(outbox.pending).toHaveLength(1);
  });
});
