import { status } from '@grpc/grpc-js';
import type { DescMethod } from '@bufbuild/protobuf';
import type { CaseContext } from './case-context';
import type { FuzzCase } from './fuzz-case';
import { hostileId } from './hostile-values';
import { malformedMessage } from './malformed-protobuf';
import { encodeRequest, PUBLIC_METHODS, takesStream, UNKNOWN_PATHS } from './public-api';

/** A well-formed request of each method, aimed at the fixtures (what the malformed bytes distort). */
function exampleRequest(method: DescMethod, context: CaseContext): Record<string, unknown> {
  const { random, fixtures } = context;
  const uploadId = random.pick(fixtures.chunkUploads);
  const nodeId = random.pick(fixtures.readableNodes);
  const unknownId = hostileId(random);
  const chunk = { uploadId, chunkNumber: BigInt(random.int(1, 50)), data: random.bytes(random.int(1, 64)) };
  switch (method.name) {
    case 'InitiateUpload':
      return { name: 'f.bin', driveId: fixtures.driveId, mimeType: 'text/plain', userMetadata: { a: 'b' } };
    case 'UploadChunk':
    case 'UploadChunks':
    case 'StreamChunks':
      return { chunk };
    case 'GetUploadStatus':
      return { uploadId };
    case 'CompleteUpload':
    case 'AbortUpload':
      return { uploadId: unknownId, totalChunks: 1n };
    case 'ReadFile':
      return { nodeId, offset: 0n, length: 10n };
    case 'GetDownloadUrl':
      return { nodeId, ttlSeconds: 60 };
    case 'ListNodes':
      return { driveId: fixtures.driveId, pageSize: 2 };
    case 'DeleteNode':
      return { nodeId: unknownId };
    default:
      return { nodeId };
  }
}

function malformedCallCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const { path, method } = random.pick(PUBLIC_METHODS);
  const valid = encodeRequest(method, exampleRequest(method, context));
  const bad = malformedMessage(random, valid);
  // On a stream the bad message may come after good ones.
  const messages = takesStream(method) ? [...Array<Buffer>(random.int(0, 2)).fill(valid), bad] : [bad];
  return {
    family: 'malformed-protobuf',
    name: `#${index} ${path} ${messages.length} message(s), last ${bad.length} bytes ${bad.subarray(0, 24).toString('hex')}`,
    run: () => context.grpc.call(path, messages),
  };
}

function unknownMethodCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const path = random.pick(UNKNOWN_PATHS);
  const message = random.bytes(random.int(0, 64));
  return {
    family: 'malformed-protobuf',
    name: `#${index} unknown method ${path.slice(0, 80)}`,
    alsoAllowed: [status.UNIMPLEMENTED],
    run: () => context.grpc.call(path, [message]),
  };
}

/** No request message, or two, where the method takes exactly one: grpc-js answers UNIMPLEMENTED. */
function wrongMessageCountCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const single = PUBLIC_METHODS.filter(({ method }) => !takesStream(method));
  const { path, method } = random.pick(single);
  const valid = encodeRequest(method, exampleRequest(method, context));
  const messages = random.chance(0.5) ? [] : [valid, valid];
  return {
    family: 'malformed-protobuf',
    name: `#${index} ${path} with ${messages.length} request messages`,
    alsoAllowed: [status.UNIMPLEMENTED],
    run: () => context.grpc.call(path, messages),
  };
}

/** Raw bytes that are not the request they claim to be, on every public method. */
export function malformedCases(context: CaseContext, count: number, firstIndex: number): FuzzCase[] {
  return Array.from({ length: count }, (_, k) => {
    const index = firstIndex + k;
    const roll = context.random.next();
    if (roll < 0.04) return unknownMethodCase(context, index);
    if (roll < 0.08) return wrongMessageCountCase(context, index);
    return malformedCallCase(context, index);
  });
}
