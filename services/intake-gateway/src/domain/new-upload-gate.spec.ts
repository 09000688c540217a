import { ErrorCode } from '@tessera/errors';
import { NewUploadGate } from './new-upload-gate';

describe('NewUploadGate', () => {
  it('admits new uploads while the metadata cache serves', async () => {
    const gate = new NewUploadGate({ status: async () => ({ serving: true }) }, 2);
    await expect(gate.admit()).resolves.toBeUndefined();
  });

  it('refuses them with UNAVAILABLE, the reason and a retry-after hint while it does not', async () => {
    const reason = 'the metadata cache (Redis) is unavailable (slow: 9 of 10 redis operations …)';
    const gate = new NewUploadGate({ status: async () => ({ serving: false, reason }) }, 2);
    await expect(gate.admit()).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: `new uploads are refused while ${reason}; uploads already started continue — retry later`,
      retryAfterSeconds: 2,
    });
  });
});
