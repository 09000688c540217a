import { create } from '@bufbuild/protobuf';
import { uploadV1 } from '@tessera/contracts';
import { checkChunk } from './chunk-check';

const uploadId = '0b1f3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const data = Buffer.from('hello chunk');
const request = (fields: { uploadId?: string; data?: Uint8Array; sha256?: string }) =>
  create(uploadV1.UploadChunksRequestSchema, { chunk: { uploadId, chunkNumber: 3n, data, ...fields } });

describe('checkChunk', () => {
  it('forwards the request as the client sent it, SHA-256 or none: the repository hashes the bytes', () => {
    const sent = request({});
    expect(checkChunk(sent, { maxChunkBytes: 100 })).toMatchObject({ sha256: '', received: sent });
    const claimed = request({ sha256: 'A'.repeat(64) });
    expect(checkChunk(claimed, { maxChunkBytes: 100 })).toMatchObject({
      sha256: 'A'.repeat(64),
      received: claimed,
    });
  });

  it('refuses malformed fields, naming them', () => {
    expect(() => checkChunk(request({ sha256: 'xyz' }), { maxChunkBytes: 100 })).toThrow(/sha256.*64 hex/);
    expect(() => checkChunk(request({ uploadId: 'nope' }), { maxChunkBytes: 100 })).toThrow(/upload_id/);
    expect(() => checkChunk(request({ data: new Uint8Array() }), { maxChunkBytes: 100 })).toThrow(/data/);
    expect(() => checkChunk(request({}), { maxChunkBytes: 4 })).toThrow(
      /data must be at most 4 bytes|at most 4 bytes/,
    );
    expect(() => checkChunk(create(uploadV1.UploadChunksRequestSchema), { maxChunkBytes: 4 })).toThrow(
      /chunk/,
    );
  });
});
