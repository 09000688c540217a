import { createHash, randomBytes } from 'node:crypto';
import { RunningFileHashes } from './running-file-hashes';

const sha256 = (...pieces: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const piece of pieces) hash.update(piece);
  return hash.digest('hex');
};

const chunks = Array.from({ length: 6 }, () => randomBytes(1000));
const records = chunks.map((data) => ({ sha256: sha256(data) }));

/** Streams a chunk in two pieces and records it stored. */
function store(hashes: RunningFileHashes, chunkNumber: number, upload = 'u1'): void {
  const feed = hashes.feed(upload, chunkNumber);
  const data = chunks[chunkNumber]!;
  feed.update(data.subarray(0, 400));
  feed.update(data.subarray(400));
  feed.stored(records[chunkNumber]!.sha256);
}

describe('RunningFileHashes', () => {
  const roomy = { maxHeldBytes: 1_000_000, maxUploads: 10 };

  it('hashes chunks stored in order into the whole file', () => {
    const hashes = new RunningFileHashes(roomy);
    for (let chunk = 0; chunk < 6; chunk++) store(hashes, chunk);
    const prefix = hashes.take('u1', records)!;
    expect(prefix.chunks).toBe(6);
    expect(prefix.hash.digest('hex')).toBe(sha256(...chunks));
  });

  it('holds chunks stored ahead of their turn and hashes them when it comes', () => {
    const hashes = new RunningFileHashes(roomy);
    for (const chunk of [2, 1, 3, 5, 0, 4]) store(hashes, chunk);
    expect(hashes.heldBytes).toBe(0);
    expect(hashes.take('u1', records)!.hash.digest('hex')).toBe(sha256(...chunks));
  });

  it('hashes chunks streaming side by side in the order of their numbers', () => {
    const hashes = new RunningFileHashes(roomy);
    const feeds = [0, 1, 2].map((chunk) => hashes.feed('u1', chunk));
    for (const [chunk, feed] of feeds.entries()) feed.update(chunks[chunk]!);
    feeds[2]!.stored(records[2]!.sha256);
    feeds[1]!.stored(records[1]!.sha256);
    feeds[0]!.stored(records[0]!.sha256);
    const prefix = hashes.take('u1', records)!;
    expect(prefix.chunks).toBe(3);
    expect(prefix.hash.digest('hex')).toBe(sha256(chunks[0]!, chunks[1]!, chunks[2]!));
  });

  it('leaves out the bytes of a write that failed, and takes its retry', () => {
    const hashes = new RunningFileHashes(roomy);
    const failed = hashes.feed('u1', 0);
    failed.update(randomBytes(500));
    failed.dropped();
    const heldThenFailed = hashes.feed('u1', 1);
    heldThenFailed.update(randomBytes(500));
    heldThenFailed.dropped();
    expect(hashes.heldBytes).toBe(0);
    store(hashes, 1);
    store(hashes, 0);
    expect(hashes.take('u1', records)!.hash.digest('hex')).toBe(sha256(chunks[0]!, chunks[1]!));
  });

  it('stops at a chunk it could not hold, and lets go of the chunks after it', () => {
    const hashes = new RunningFileHashes({ maxHeldBytes: 1500, maxUploads: 10 });
    store(hashes, 3); // held: 1000 bytes
    store(hashes, 2); // does not fit: a gap at 2, chunk 3 let go
    expect(hashes.heldBytes).toBe(0);
    store(hashes, 4); // after the gap: not held
    store(hashes, 0);
    store(hashes, 1);
    const prefix = hashes.take('u1', records)!;
    expect(prefix.chunks).toBe(2);
    expect(prefix.hash.digest('hex')).toBe(sha256(chunks[0]!, chunks[1]!));
  });

  it('gives nothing when a hashed chunk is not the one the completion lists, or was written again', () => {
    const hashes = new RunningFileHashes(roomy);
    store(hashes, 0);
    store(hashes, 1);
    expect(hashes.take('u1', [records[0]!, { sha256: 'f'.repeat(64) }])).toBeUndefined();
    store(hashes, 0);
    store(hashes, 1);
    store(hashes, 0); // forced again after it was hashed
    expect(hashes.take('u1', records)).toBeUndefined();
  });

  it('forgets the least recently fed upload beyond maxUploads, with what it held', () => {
    const hashes = new RunningFileHashes({ maxHeldBytes: 1_000_000, maxUploads: 2 });
    store(hashes, 1, 'a');
    store(hashes, 0, 'b');
    store(hashes, 0, 'c');
    expect(hashes.heldBytes).toBe(0);
    expect(hashes.take('a', records)).toBeUndefined();
    expect(hashes.take('b', records)!.chunks).toBe(1);
  });
});
