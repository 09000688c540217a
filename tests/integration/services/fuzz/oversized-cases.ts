import type { CaseContext } from './case-context';
import type { FuzzCase } from './fuzz-case';
import { uploadChunksOutcomes } from './chunk-results';
import { encodeRequest, publicMethod, PUBLIC_METHODS, takesStream } from './public-api';
import { grpcFrame } from './raw-grpc-frames';

const MiB = 1024 * 1024;

/** Frames whose length prefix announces more than GRPC_MAX_RECEIVE_MESSAGE_BYTES; few bytes follow. */
function announcedTooLargeCase(context: CaseContext, index: number): FuzzCase {
  const { random, maxReceiveBytes } = context;
  const { path, method } = random.pick(PUBLIC_METHODS);
  const claimed = random.pick([
    maxReceiveBytes + 1,
    maxReceiveBytes + random.int(2, MiB),
    2 ** 31,
    2 ** 32 - 1,
  ]);
  const lead = takesStream(method)
    ? [grpcFrame(encodeRequest(method, { chunk: { uploadId: random.pick(context.fixtures.chunkUploads) } }))]
    : [];
  const body = Buffer.concat([...lead, grpcFrame(random.bytes(random.int(0, 64)), claimed)]);
  const then = random.pick(['end', 'hold'] as const);
  return {
    family: 'oversized',
    name: `#${index} ${path} frame announcing ${claimed} bytes, then ${then}`,
    run: () => context.frames.send({ path, body, then }),
  };
}

/** Requests of 1-2 MiB (under the receive limit) whose one field is far over its own limit. */
function overlongFieldCase(context: CaseContext, index: number): FuzzCase {
  const { random, fixtures } = context;
  const size = random.int(MiB, 2 * MiB);
  const long = () => 'x'.repeat(size);
  const shapes: [string, () => Record<string, unknown>][] = [
    ['InitiateUpload', () => ({ name: long(), driveId: fixtures.driveId })],
    ['InitiateUpload', () => ({ name: 'a', driveId: fixtures.driveId, userMetadata: { k: long() } })],
    ['InitiateUpload', () => ({ name: 'a', driveId: long() })],
    ['GetNode', () => ({ nodeId: long() })],
    ['ListNodes', () => ({ driveId: fixtures.driveId, pageToken: long() })],
    ['ReadFile', () => ({ nodeId: long() })],
    ['UploadChunk', () => ({ chunk: { uploadId: long(), data: Buffer.alloc(1) } })],
    ['CompleteUpload', () => ({ uploadId: random.pick(fixtures.expendableUploads), sha256: long() })],
  ];
  const [name, build] = random.pick(shapes);
  const { path, method } = publicMethod(name);
  return {
    family: 'oversized',
    name: `#${index} ${name} with a ${size}-character field`,
    run: () => context.grpc.call(path, [encodeRequest(method, build())]),
  };
}

/** Cheap oversized cases: lying length prefixes and overlong fields. */
export function oversizedCases(context: CaseContext, count: number, firstIndex: number): FuzzCase[] {
  return Array.from({ length: count }, (_, k) =>
    context.random.chance(0.8)
      ? announcedTooLargeCase(context, firstIndex + k)
      : overlongFieldCase(context, firstIndex + k),
  );
}

/**
 * Messages really over the limits (tens of MiB each, built only when they run): a chunk one byte
 * over MAX_CHUNK_BYTES, and requests one KiB over GRPC_MAX_RECEIVE_MESSAGE_BYTES. Run them few at a time.
 */
export function heavyOversizedCases(context: CaseContext, firstIndex: number): FuzzCase[] {
  const { fixtures, maxChunkBytes, maxReceiveBytes } = context;
  const uploadId = fixtures.chunkUploads[0]!;
  const chunk = (chunkNumber: bigint, bytes: number) => ({
    chunk: { uploadId, chunkNumber, data: Buffer.alloc(bytes, 7) },
  });
  const tooLarge = maxReceiveBytes + 1024;
  const shapes: [string, () => Record<string, unknown>[]][] = [
    ['UploadChunk', () => [chunk(900n, maxChunkBytes + 1)]],
    ['UploadChunks', () => [chunk(901n, 10), chunk(902n, maxChunkBytes + 1)]],
    ['UploadChunk', () => [chunk(903n, tooLarge)]],
    ['UploadChunks', () => [chunk(904n, 10), chunk(905n, tooLarge)]],
    ['InitiateUpload', () => [{ name: 'n'.repeat(tooLarge), driveId: fixtures.driveId }]],
    ['ReadFile', () => [{ nodeId: 'n'.repeat(tooLarge) }]],
    ['GetNode', () => [{ nodeId: 'n'.repeat(tooLarge) }]],
  ];
  return shapes.map(([name, build], k) => {
    const { path, method } = publicMethod(name);
    return {
      family: 'oversized',
      name: `#${firstIndex + k} ${name} over the limits (${k < 2 ? 'MAX_CHUNK_BYTES' : 'GRPC_MAX_RECEIVE_MESSAGE_BYTES'})`,
      heavy: true,
      run: () => {
        const messages = build().map((request) => encodeRequest(method, request));
        return name === 'UploadChunks'
          ? uploadChunksOutcomes(context.grpc, path, messages)
          : context.grpc.call(path, messages);
      },
    };
  });
}
