import { ErrorCode } from '@tessera/errors';
import { NewUploadGate } from './new-upload-gate';

describe('NewUploadGate', () => {
  it('admits new uploads while the metadata cache serves', async () => {
    await expect(new NewUploadGate({ serving: async () => true }, 2).admit()).resolves.toBeUndefined();
  });

  it('refuses them with UNAVAILABLE naming Redis and a retry-after hint while it does not', async () => {
    await expect(new NewUploadGate({ serving: async () => false }, 2).admit()).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: expect.stringMatching(/metadata cache \(Redis\)/),
      retryAfterSeconds: 2,
    });
  });
});
