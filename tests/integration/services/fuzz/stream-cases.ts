import { status } from '@grpc/grpc-js';
import type { CaseContext } from './case-context';
import { uploadChunksOutcomes } from './chunk-results';
import type { FuzzCase } from './fuzz-case';
import { encodeRequest, publicMethod, PUBLIC_METHODS } from './public-api';
import { grpcFrame } from './raw-grpc-frames';

const MiB = 1024 * 1024;
const uploadChunks = publicMethod('UploadChunks');
const streamChunks = publicMethod('StreamChunks');
const uploadChunk = publicMethod('UploadChunk');
const readFile = publicMethod('ReadFile');

/**
 * A chunk message to one of the fixture uploads: mostly small, sometimes a direct part (≥ 5 MiB).
 * Drawn now, built when the case runs (so the big ones are not all held at once).
 */
function chunkMessage(context: CaseContext, method = uploadChunks.method): () => Buffer {
  const { random, fixtures } = context;
  const size = random.chance(0.08) ? random.int(5 * MiB, 6 * MiB) : random.int(1, 4096);
  const fill = random.int(0, 255);
  const uploadId = random.pick(fixtures.chunkUploads);
  const chunkNumber = BigInt(random.int(0, 20_000));
  return () => encodeRequest(method, { chunk: { uploadId, chunkNumber, data: Buffer.alloc(size, fill) } });
}

/** UploadChunks or StreamChunks with some chunks, cancelled by the client after a while (or never ended at all). */
function cancelledUploadChunksCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const stream = random.pick([uploadChunks, streamChunks]);
  const messages = Array.from({ length: random.int(0, 4) }, () => chunkMessage(context, stream.method));
  const cancelAfterMs = random.int(0, 60);
  const end = random.chance(0.5);
  return {
    family: 'truncated-streams',
    name: `#${index} ${stream.method.name}: ${messages.length} chunks, ${end ? 'ended' : 'left open'}, cancelled after ${cancelAfterMs} ms`,
    alsoAllowed: [status.CANCELLED],
    run: () =>
      uploadChunksOutcomes(
        context.grpc,
        stream.path,
        messages.map((build) => build()),
        { cancelAfterMs, end },
      ),
  };
}

/** UploadChunks ended without a single message. */
function emptyUploadChunksCase(context: CaseContext, index: number): FuzzCase {
  return {
    family: 'truncated-streams',
    name: `#${index} UploadChunks ended without data`,
    run: () => uploadChunksOutcomes(context.grpc, uploadChunks.path, []),
  };
}

/** A unary UploadChunk or a ReadFile of the 3 MiB fixture, cancelled by the client midway. */
function cancelledCallCase(context: CaseContext, index: number): FuzzCase {
  const { random, fixtures } = context;
  const reading = random.chance(0.4);
  const message = reading
    ? () => encodeRequest(readFile.method, { nodeId: fixtures.readableNodes[1]! })
    : chunkMessage(context, uploadChunk.method);
  const cancelAfterMs = random.int(0, 40);
  const path = reading ? readFile.path : uploadChunk.path;
  return {
    family: 'truncated-streams',
    name: `#${index} ${path} cancelled after ${cancelAfterMs} ms`,
    alsoAllowed: [status.CANCELLED],
    run: () => context.grpc.call(path, [message()], { cancelAfterMs }),
  };
}

/**
 * Streams cut at the HTTP/2 level: a frame header cut short, a frame announcing more bytes than
 * follow, then the stream ended or reset (a client vanishing midway).
 */
function cutFrameCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const { path, method } = random.chance(0.5) ? uploadChunks : random.pick(PUBLIC_METHODS);
  const nodeId = random.pick(context.fixtures.readableNodes);
  const build = method.name.startsWith('UploadChunk')
    ? chunkMessage(context, method)
    : () => encodeRequest(method, { nodeId });
  const leading = random.chance(0.5);
  const cutInHeader = random.chance(0.5);
  const cutAt = random.next(); // where the message is cut, as a fraction of its length
  const then = random.pick(['end', 'reset'] as const);
  const body = () => {
    const whole = build();
    const cut = cutInHeader
      ? grpcFrame(whole).subarray(0, 1 + Math.floor(cutAt * 4))
      : grpcFrame(whole.subarray(0, Math.floor(cutAt * whole.length)), whole.length);
    return Buffer.concat([...(leading ? [grpcFrame(whole)] : []), cut]);
  };
  return {
    family: 'truncated-streams',
    name: `#${index} ${path}: ${leading ? 'a whole frame, then ' : ''}a frame cut inside its ${cutInHeader ? 'header' : 'message'}, then ${then}`,
    // A unary call whose only message is cut off has no request: grpc-js answers UNIMPLEMENTED.
    alsoAllowed: [status.UNIMPLEMENTED],
    run: () => context.frames.send({ path, body: body(), then }),
  };
}

/** Client streams cut short: cancelled midway, ended empty, frames cut inside. */
export function streamCases(context: CaseContext, count: number, firstIndex: number): FuzzCase[] {
  return Array.from({ length: count }, (_, k) => {
    const index = firstIndex + k;
    const roll = context.random.next();
    if (roll < 0.35) return cancelledUploadChunksCase(context, index);
    if (roll < 0.4) return emptyUploadChunksCase(context, index);
    if (roll < 0.65) return cancelledCallCase(context, index);
    return cutFrameCase(context, index);
  });
}
