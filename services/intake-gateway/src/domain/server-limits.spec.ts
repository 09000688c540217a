import { create } from '@bufbuild/protobuf';
import { uploadV1 } from '@tessera/contracts';
import { ErrorCode } from '@tessera/errors';
import { ServerLimits } from './server-limits';

const MiB = 1024 * 1024;

function repository(answers: Array<uploadV1.GetLimitsResponse | Error>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    getLimits: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const limits = (maxChunkBytes: number, maxOneCallFileBytes: number) =>
  create(uploadV1.GetLimitsResponseSchema, {
    suggestedChunkBytes: BigInt(8 * MiB),
    limits: { maxChunkBytes: BigInt(maxChunkBytes), maxOneCallFileBytes: BigInt(maxOneCallFileBytes) },
  });

describe('ServerLimits', () => {
  it("caps the repository's limits by the gateway's own chunk limit", async () => {
    const serverLimits = new ServerLimits(repository([limits(64 * MiB, 4 * MiB)]), {
      maxChunkBytes: 2 * MiB,
    });
    const answer = await serverLimits.get();
    expect(answer.limits).toMatchObject({
      maxChunkBytes: BigInt(2 * MiB),
      maxOneCallFileBytes: BigInt(2 * MiB),
    });
    expect(answer.suggestedChunkBytes).toBe(BigInt(2 * MiB));
  });

  it('asks once while the answer is kept, and again after a failed question', async () => {
    const repo = repository([new Error('unavailable'), limits(64 * MiB, 4 * MiB)]);
    const serverLimits = new ServerLimits(repo, { maxChunkBytes: 64 * MiB });
    await expect(serverLimits.get()).rejects.toThrow('unavailable');
    expect(await serverLimits.oneCallMaxBytes()).toBe(4 * MiB);
    expect(await serverLimits.oneCallMaxBytes()).toBe(4 * MiB);
    expect(repo.calls).toBe(2);
  });

  it('refuses a file over the one-call size naming the field', async () => {
    const serverLimits = new ServerLimits(repository([limits(64 * MiB, 1000)]), { maxChunkBytes: 64 * MiB });
    await expect(serverLimits.checkOneCall(1000)).resolves.toBeUndefined();
    await expect(serverLimits.checkOneCall(1001)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringMatching(/^data: must be at most 1000 bytes in one call/),
    });
  });
});
