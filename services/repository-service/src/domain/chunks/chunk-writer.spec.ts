import type { ObjectBody, ObjectStore } from '@tessera/object-storage';
import { ChunkWriter } from './chunk-writer';
import { strictFake } from '../../testing/strict-fake.fixture';
import type { UploadRecord, UploadStore } from '../ports/upload-store.port';

const UPLOAD_ID = '00000000-0000-4000-8000-000000000001';
const OPTIONS = { maxChunkBytes: 1024, maxChunkNumber: 100, claimStaleAfterMs: 1000, stagingPrefix: 's/' };

describe('ChunkWriter', () => {
  it('fails the write and releases the claim when the chunk body fails midway (the sender cut off)', async () => {
    const released: number[] = [];
    const store = strictFake<UploadStore>({
      claimChunk: async () => ({
        outcome: 'claimed',
        token: 't',
        upload: { uploadId: UPLOAD_ID, state: 'IN_PROGRESS' } as UploadRecord,
      }),
      releaseClaim: async (_uploadId: string, chunkNumber: number) => {
        released.push(chunkNumber);
      },
    });
    const objects = strictFake<ObjectStore>({
      putObject: async (_key: string, body: ObjectBody) => {
        for await (const _data of body as AsyncIterable<Uint8Array>) {
          // read as S3 would
        }
        return { etag: 'e' } as Awaited<ReturnType<ObjectStore['putObject']>>;
      },
    });
    async function* cutOff() {
      yield new Uint8Array(10);
      throw new Error('Premature close');
    }
    const header = { uploadId: UPLOAD_ID, chunkNumber: 3, size: 20, sha256: 'a'.repeat(64), force: false };

    await expect(new ChunkWriter(store, objects, OPTIONS).write(header, cutOff())).rejects.toThrow(
      'Premature close',
    );
    expect(released).toEqual([3]);
  });
});
