import { randomUUID } from 'node:crypto';
import { lifecycleEvent } from '../../domain/events/lifecycle-event';
import type { OutboxRecord } from '../../domain/ports/outbox.port';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { appendToOutbox, TidbOutbox } from './tidb-outbox';
import { inPessimisticTransaction } from './tidb-transaction';

describe('TidbOutbox', () => {
  let stack: RealStack;
  let outbox: TidbOutbox;

  beforeAll(async () => {
    stack = await openRealStack('outbox');
    outbox = new TidbOutbox(stack.pool);
  });

  afterAll(() => stack.close());

  async function append(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = lifecycleEvent.uploadAborted({ uploadId: randomUUID(), nodeId: randomUUID() });
      await inPessimisticTransaction(stack.pool, (connection) => appendToOutbox(connection, event));
      ids.push(event.eventId);
    }
    return ids;
  }

  it('hands out events oldest first, removes them once published, and keeps them when publishing fails', async () => {
    const ids = await append(5);
    await expect(
      outbox.drain(3, async () => {
        throw new Error('kafka down');
      }),
    ).rejects.toThrow('kafka down');
    expect((await outbox.backlog()).pending).toBe(5);

    const published: OutboxRecord[] = [];
    expect(await outbox.drain(3, async (records) => void published.push(...records))).toBe(3);
    expect(await outbox.drain(3, async (records) => void published.push(...records))).toBe(2);
    expect(await outbox.drain(3, async () => undefined)).toBe(0);
    expect(published.map((record) => record.eventId)).toEqual(ids);
    expect(published.map((record) => BigInt(record.position))).toEqual(
      [...published.map((record) => BigInt(record.position))].sort((a, b) => (a < b ? -1 : 1)),
    );
  });

  it('lets one relay drain at a time: a second one is told the outbox is busy', async () => {
    await append(2);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = outbox.drain(10, () => held);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await outbox.drain(10, async () => undefined)).toBe('busy');
    release();
    expect(await first).toBe(2);
  });

  it('reports the backlog: pending events and the age of the oldest', async () => {
    expect(await outbox.backlog()).toEqual({ pending: 0, oldestAgeMs: 0 });
    await append(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const backlog = await outbox.backlog();
    expect(backlog.pending).toBe(3);
    expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(150);
    await outbox.drain(10, async () => undefined);
  });

  it('writes no event when the change it belongs to rolls back', async () => {
    const event = lifecycleEvent.uploadAborted({ uploadId: randomUUID(), nodeId: randomUUID() });
    await expect(
      inPessimisticTransaction(stack.pool, async (connection) => {
        await appendToOutbox(connection, event);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect((await outbox.backlog()).pending).toBe(0);
  });
});
