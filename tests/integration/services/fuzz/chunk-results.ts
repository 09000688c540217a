import { fromBinary } from '@bufbuild/protobuf';
import { uploadV1 } from '@tessera/contracts';
import type { Outcome } from './fuzz-case';
import type { RawCallOptions, RawGrpcClient } from './raw-grpc-client';

/** Each chunk's result in an UploadChunks response (or a StreamChunks one), as an outcome of its own. */
function outcomesOfResults(response: Buffer, streamed: boolean): Outcome[] {
  const results = streamed
    ? [fromBinary(uploadV1.StreamChunksResponseSchema, response).result].filter((result) => !!result)
    : fromBinary(uploadV1.UploadChunksResponseSchema, response).results;
  return results.map((result) => ({
    kind: 'grpc',
    code: result.code,
    details: result.message,
    retryAfter: result.retryAfterSeconds === undefined ? undefined : String(result.retryAfterSeconds),
  }));
}

/** Calls UploadChunks or StreamChunks with raw messages; the call's status and every chunk's result are judged. */
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
  const streamed = path.endsWith('/StreamChunks');
  return [call, ...responses.flatMap((response) => outcomesOfResults(response, streamed))];
}
