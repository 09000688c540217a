import { create } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import { uploadV1 } from '@tessera/contracts';
import { checkChunk } from './chunk-check';

const uploadId = '0b1f3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const data = Buffer.from('hello chunk');
const sha256 = createHash('sha256').update(data).digest('hex');
const chunk = (fields: { uploadId?: string; data?: Uint8Array; sha256?: string }) =>
  create(uploadV1.ChunkSchema, { uploadId, chunkNumber: 3n, data, ...fields });

describe('checkChunk', () => {
  it('computes the SHA-256 when the client sent none', () => {
    expect(checkChunk(chunk({}), { maxChunkBytes: 100 }).sha256).toBe(sha256);
  });

  it('passes the client’s SHA-256 on as it is (lower-cased): the repository verifies it while storing', () => {
    const claimed = 'A'.repeat(64);
    expect(checkChunk(chunk({ sha256: claimed }), { maxChunkBytes: 100 }).sha256).toBe('a'.repeat(64));
  });

  it('refuses malformed fields, naming them', () => {
    expect(() => checkChunk(chunk({ sha256: 'xyz' }), { maxChunkBytes: 100 })).toThrow(/sha256.*64 hex/);
    expect(() => checkChunk(chunk({ uploadId: 'nope' }), { maxChunkBytes: 100 })).toThrow(/upload_id/);
    expect(() => checkChunk(chunk({ data: new Uint8Array() }), { maxChunkBytes: 100 })).toThrow(/data/);
    expect(() => checkChunk(chunk({}), { maxChunkBytes: 4 })).toThrow(
      /data must be at most 4 bytes|at most 4 bytes/,
    );
    expect(() => checkChunk(undefined, { maxChunkBytes: 4 })).toThrow(/chunk/);
  });
});
