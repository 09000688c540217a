import { downloadV1, uploadV1 } from '@tessera/contracts';
import { callServerStream, callUnary } from '@tessera/grpc';
import type { CaseContext } from './case-context';
import { uploadChunksOutcomes } from './chunk-results';
import { describeRequest } from './describe-request';
import type { FuzzCase, Outcome } from './fuzz-case';
import { outcomeOfCall, withDeadline } from './grpc-outcome';
import { hostileMimeType, hostileName, hostileUserMetadata } from './hostile-values';
import { HOSTILE_REQUESTS } from './hostile-requests';
import { encodeRequest, PUBLIC_METHODS, takesStream } from './public-api';
import { httpRequestBytes, sendRawHttp } from './raw-http';

const upload = uploadV1.UploadService.method;
const download = downloadV1.DownloadService.method;

function hostileCallCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const { path, method } = random.pick(PUBLIC_METHODS);
  const build = HOSTILE_REQUESTS[method.name]!;
  const requests = Array.from({ length: takesStream(method) ? random.int(1, 4) : 1 }, () => build(context));
  const messages = requests.map((request) => encodeRequest(method, request));
  return {
    family: 'hostile-fields',
    name: `#${index} ${method.name} ${describeRequest(requests)}`,
    run: () =>
      method.name === 'UploadChunks' || method.name === 'StreamChunks'
        ? uploadChunksOutcomes(context.grpc, path, messages)
        : context.grpc.call(path, messages),
  };
}

async function readAll(context: CaseContext, nodeId: string): Promise<number> {
  let bytes = 0;
  for await (const message of callServerStream(
    context.downloads,
    download.readFile,
    { nodeId },
    withDeadline(),
  ))
    bytes += message.data.length;
  return bytes;
}

/**
 * A whole upload with hostile (but perhaps valid) name, MIME type and metadata, then reads of what
 * it stored over gRPC and HTTP: what passes validation must be storable and servable.
 */
function hostileLifecycleCase(context: CaseContext, index: number): FuzzCase {
  const { random, fixtures } = context;
  // Half of the optional fields are left ordinary, so that more lifecycles get to the reads.
  const initiate = {
    name: hostileName(random),
    driveId: fixtures.driveId,
    userMetadata: random.chance(0.5) ? {} : hostileUserMetadata(random),
    ...(random.chance(0.5) && { mimeType: hostileMimeType(random) }),
  };
  const data = random.bytes(random.int(1, 2048));
  return {
    family: 'hostile-fields',
    name: `#${index} lifecycle ${describeRequest(initiate)}`,
    run: async () => {
      const outcomes: Outcome[] = [];
      const step = async <T>(call: Promise<T>): Promise<T | undefined> => {
        const { outcome, value } = await outcomeOfCall(call);
        outcomes.push(outcome);
        return value;
      };
      const opened = await step(callUnary(context.uploads, upload.initiateUpload, initiate, withDeadline()));
      if (!opened) return outcomes;
      const chunk = { uploadId: opened.uploadId, chunkNumber: 0n, data };
      if (!(await step(callUnary(context.uploads, upload.uploadChunk, { chunk }, withDeadline()))))
        return outcomes;
      const done = await step(
        callUnary(context.uploads, upload.completeUpload, { uploadId: opened.uploadId }, withDeadline()),
      );
      if (!done?.node) return outcomes;
      await step(readAll(context, done.node.nodeId));
      outcomes.push(
        await sendRawHttp(context.http, 'GET', httpRequestBytes('GET', `/read/${done.node.nodeId}`, [])),
      );
      return outcomes;
    },
  };
}

/** Well-formed requests whose field values are hostile: ids, names, numbers, checksums. */
export function hostileFieldCases(context: CaseContext, count: number, firstIndex: number): FuzzCase[] {
  return Array.from({ length: count }, (_, k) =>
    context.random.chance(0.04)
      ? hostileLifecycleCase(context, firstIndex + k)
      : hostileCallCase(context, firstIndex + k),
  );
}
