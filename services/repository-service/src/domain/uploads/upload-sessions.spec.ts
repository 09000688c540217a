import type { ObjectStore } from '@tessera/object-storage';
import { ErrorCode } from '@tessera/errors';
import { strictFake } from '../../testing/strict-fake.fixture';
import type { NodeStore } from '../ports/node-store.port';
import { UploadSessions, type InitiateRequest } from './upload-sessions';
import type { UploadStore } from '../ports/upload-store.port';

const request = (overrides: Partial<InitiateRequest>): InitiateRequest => ({
  name: 'f.bin',
  driveId: 'd1',
  mimeType: undefined,
  userMetadata: {},
  idempotencyKey: undefined,
  expectedVersion: undefined,
  ...overrides,
});

describe('UploadSessions.initiate validation (before anything is stored)', () => {
  // Every store call fails the test: a refused request must not reach them.
  const sessions = new UploadSessions(
    strictFake<UploadStore>(),
    strictFake<NodeStore>(),
    strictFake<ObjectStore>(),
    {
      objectKeyTemplate: '{drive_id}/{node_id}',
      stagingPrefix: '.staging/',
    },
  );

  it.each(['text/é', 'text/文件', 'application/😀', '\u2028'])(
    'refuses the MIME type %j, which cannot be sent as an HTTP header',
    async (mimeType) => {
      await expect(sessions.initiate(request({ mimeType }))).rejects.toMatchObject({
        code: ErrorCode.InvalidArgument,
        message: expect.stringMatching(/^mime_type: must be printable ASCII/),
      });
    },
  );

  it.each([
    [{ name: '' }, 'name: must not be empty'],
    [{ name: '..' }, 'name: must not be "." or ".."'],
    [{ mimeType: 'text/plain\r\nX-Injected: 1' }, 'mime_type: must not contain control characters'],
  ])('refuses %j naming the field', async (overrides, message) => {
    await expect(sessions.initiate(request(overrides))).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message,
    });
  });
});
