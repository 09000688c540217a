import { ErrorCode } from '@tessera/errors';
import { ChunkBytesBudget } from './chunk-bytes-budget';

const chunk = (n: number, bytes: number) => ({
  uploadId: 'u',
  chunkNumber: BigInt(n),
  data: new Uint8Array(bytes),
});

describe('ChunkBytesBudget', () => {
  it('refuses a chunk that would take the held bytes over the bound, with the hint', () => {
    let refusals = 0;
    const budget = new ChunkBytesBudget(
      { maxBytes: 100, retryAfterSeconds: 3 },
      { refused: () => refusals++ },
    );
    const first = budget.reserve(60, 'chunk 0');
    expect(() => budget.reserve(41, 'chunk 1 of upload u')).toThrow(
      expect.objectContaining({ code: ErrorCode.ResourceExhausted, retryAfterSeconds: 3 }),
    );
    expect(() => budget.reserve(41, 'chunk 1 of upload u')).toThrow(
      /chunk 1 of upload u: the intake gateway is at capacity \(60 bytes of chunks in flight, at most 100\); retry after 3 s/,
    );
    expect(refusals).toBe(2);
    const second = budget.reserve(40, 'chunk 2');
    expect(budget.heldBytes()).toBe(100);
    first();
    first(); // releasing twice gives back once
    second();
    expect(budget.heldBytes()).toBe(0);
  });

  it('always admits one chunk when nothing is held, however large', () => {
    const budget = new ChunkBytesBudget({ maxBytes: 10, retryAfterSeconds: 1 });
    expect(() => budget.reserve(50, 'big')).not.toThrow();
  });

  it('holds each passed-through chunk until the next is asked for, and releases on early stop', async () => {
    const budget = new ChunkBytesBudget({ maxBytes: 1000, retryAfterSeconds: 1 });
    async function* source() {
      yield chunk(0, 10);
      yield chunk(1, 20);
      yield chunk(2, 30);
    }
    const held: number[] = [];
    for await (const passed of budget.hold(source())) {
      held.push(budget.heldBytes());
      if (passed.chunkNumber === 1n) break;
    }
    expect(held).toEqual([10, 20]);
    expect(budget.heldBytes()).toBe(0);
  });
});
