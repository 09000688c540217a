import { fromBinary } from '@bufbuild/protobuf';
import { uploadV1 } from '@tessera/contracts';
import type { Outcome } from './fuzz-case';
import type { RawCallOptions, RawGrpcClient } from './raw-grpc-client';

/** Each chunk's result in an UploadChunks response, as an outcome of its own. */
function outcomesOfResults(response: Buffer): Outcome[] {
  return fromBinary(uploadV1.UploadChunksResponseSchema, response).results.map((result) => ({
    kind: 'grpc',
    code: result.code,
    details: result.message,
    retryAfter: result.retryAfterSeconds === undefined ? undefined : String(result.retryAfterSeconds),
  }));
}

/** Calls UploadChunks with raw messages; the call's status and every chunk's result are judged. */
export async function uploadChunksOutcomes(
  client: RawGrpcClient,
  path: string,
  messages: readonly Buffer[],
  options: Omit<RawCallOptions, 'onResponse'> = {},
): Promise<Outcome[]> {
  const responses: Buffer[] = [];
  const call = await client.call(path, messages, {
    ...options,
    onResponse: (bytes) => responses.push(bytes),
  });
  return [call, ...responses.flatMap(outcomesOfResults)];
}
