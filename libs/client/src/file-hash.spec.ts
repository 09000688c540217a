import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InOrderFileHash } from './file-hash';

describe('InOrderFileHash', () => {
  const chunkBytes = 1000;
  const file = randomBytes(5 * chunkBytes + 123);
  const chunk = (n: number) => file.subarray(n * chunkBytes, (n + 1) * chunkBytes);
  const expected = createHash('sha256').update(file).digest('hex');
  let dir: string;
  let path: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-hash-'));
    path = join(dir, 'f.bin');
    await writeFile(path, file);
  });
  afterAll(() => rm(dir, { recursive: true }));

  it('hashes chunks read out of order and more than once, without reading the file', async () => {
    const hash = new InOrderFileHash(10_000);
    for (const n of [1, 0, 3, 2, 2, 5, 4, 0]) hash.add(n, chunk(n));
    expect(await hash.digest(join(dir, 'missing.bin'), chunkBytes, file.length)).toBe(expected);
  });

  it('reads from the file what it did not see or could not hold', async () => {
    const skipped = new InOrderFileHash(10_000);
    for (const n of [0, 2, 3]) skipped.add(n, chunk(n)); // chunk 1 was on the server already
    expect(await skipped.digest(path, chunkBytes, file.length)).toBe(expected);
    const small = new InOrderFileHash(1500);
    for (const n of [2, 3, 1, 0, 4, 5]) small.add(n, chunk(n)); // 3 does not fit beside 2
    expect(await small.digest(path, chunkBytes, file.length)).toBe(expected);
  });
});
