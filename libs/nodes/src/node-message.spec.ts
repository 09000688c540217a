import { create } from '@bufbuild/protobuf';
import { metadataV1 } from '@tessera/contracts';
import { fromNodeMessage, toNodeMessage } from './node-message';
import type { NodeVersion } from './node-version';

describe('node messages', () => {
  it('round-trips a node version through its protobuf message (all but the upload id)', () => {
    const node: NodeVersion = {
      nodeId: '6f1c1f3e-2d1e-4c8a-9a47-6f0b8c9d1e2f',
      version: 3,
      driveId: 'drive-1',
      name: 'a.bin',
      size: 12_000_000_000,
      sha256: 'b'.repeat(64),
      mimeType: 'application/pdf',
      userMetadata: { team: 'platform' },
      bucket: 'tessera',
      objectKey: 'drive-1/6f1c1f3e',
      objectVersionId: 'v-3',
      etag: '"abc-2"',
      partSizes: [8_388_608, 100],
      partSha256: [],
      sha256VerifiedBy: 'service',
      uploadId: 'not carried',
      createdAt: new Date('2026-11-23T06:00:00.123Z'),
    };
    const message = create(metadataV1.NodeSchema, toNodeMessage(node));
    expect(fromNodeMessage(message)).toEqual({ ...node, uploadId: '' });
  });
});
