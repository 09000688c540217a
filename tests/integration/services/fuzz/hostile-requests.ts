import { createHash } from 'node:crypto';
import type { CaseContext } from './case-context';
import {
  hostileDriveId,
  hostileId,
  hostileInt64,
  hostileMimeType,
  hostileName,
  hostileSha256,
  hostileUint32,
  hostileUint64,
  hostileUserMetadata,
} from './hostile-values';

type Request = Record<string, unknown>;

/** Sets `field` to `value` with probability 0.6: optional fields are left unset otherwise. */
function maybe(context: CaseContext, field: string, value: () => unknown): Request {
  return context.random.chance(0.6) ? { [field]: value() } : {};
}

function hostileChunk(context: CaseContext): Request {
  const { random, fixtures } = context;
  const data = random.bytes(random.chance(0.05) ? 0 : random.int(1, 256));
  const ownSha = createHash('sha256').update(data).digest('hex');
  return {
    uploadId: hostileId(random, [...fixtures.chunkUploads, ...fixtures.expendableUploads]),
    chunkNumber: hostileUint64(random),
    data,
    sha256: random.pick(['', ownSha, hostileSha256(random)]),
    force: random.chance(0.2),
  };
}

function hostilePageToken(context: CaseContext): string {
  const { random } = context;
  const uuidLike = hostileId(random, context.fixtures.readableNodes);
  return random.pick([
    '',
    Buffer.from(uuidLike).toString('base64url'),
    random.bytes(random.int(1, 64)).toString('base64url'),
    Buffer.from('../../etc/passwd').toString('base64url'),
    '!!!not base64!!!',
    'x'.repeat(10_000),
  ]);
}

/** For each public method, a request whose fields are drawn from the hostile values. */
function hostileNewFile(context: CaseContext): Request {
  return {
    name: hostileName(context.random),
    driveId: context.random.chance(0.5) ? context.fixtures.driveId : hostileDriveId(context.random),
    userMetadata: hostileUserMetadata(context.random),
    ...maybe(context, 'mimeType', () => hostileMimeType(context.random)),
    ...maybe(context, 'idempotencyKey', () => hostileName(context.random)),
    ...maybe(context, 'expectedVersion', () => hostileInt64(context.random)),
  };
}

export const HOSTILE_REQUESTS: Record<string, (context: CaseContext) => Request> = {
  InitiateUpload: hostileNewFile,
  UploadFile: (context) => {
    const data = context.random.bytes(context.random.chance(0.05) ? 0 : context.random.int(1, 256));
    const ownSha = createHash('sha256').update(data).digest('hex');
    return {
      ...hostileNewFile(context),
      data,
      ...maybe(context, 'sha256', () => context.random.pick([ownSha, hostileSha256(context.random)])),
    };
  },
  GetLimits: () => ({}),
  UploadChunk: (context) => (context.random.chance(0.05) ? {} : { chunk: hostileChunk(context) }),
  UploadChunks: (context) => (context.random.chance(0.05) ? {} : { chunk: hostileChunk(context) }),
  StreamChunks: (context) => (context.random.chance(0.05) ? {} : { chunk: hostileChunk(context) }),
  CompleteUpload: (context) => ({
    uploadId: hostileId(context.random, context.fixtures.expendableUploads),
    ...maybe(context, 'totalChunks', () => hostileUint64(context.random)),
    ...maybe(context, 'sha256', () => hostileSha256(context.random)),
  }),
  GetUploadStatus: (context) => ({
    uploadId: hostileId(context.random, [
      ...context.fixtures.chunkUploads,
      ...context.fixtures.expendableUploads,
    ]),
  }),
  AbortUpload: (context) => ({ uploadId: hostileId(context.random, context.fixtures.expendableUploads) }),
  PresignChunks: (context) => ({
    uploadId: hostileId(context.random, [
      ...context.fixtures.chunkUploads,
      ...context.fixtures.expendableUploads,
    ]),
    chunks: Array.from({ length: context.random.int(0, 3) }, () => ({
      chunkNumber: hostileUint64(context.random),
      size: hostileUint64(context.random),
      sha256: hostileSha256(context.random),
    })),
    ...maybe(context, 'totalChunks', () => hostileUint64(context.random)),
    force: context.random.chance(0.2),
    ...maybe(context, 'ttlSeconds', () => hostileUint32(context.random)),
  }),
  ReadFile: (context) => ({
    nodeId: hostileId(context.random, context.fixtures.readableNodes),
    ...maybe(context, 'version', () => hostileInt64(context.random)),
    ...maybe(context, 'offset', () => hostileUint64(context.random)),
    ...maybe(context, 'length', () => hostileUint64(context.random)),
  }),
  GetDownloadUrl: (context) => ({
    nodeId: hostileId(context.random, context.fixtures.readableNodes),
    ...maybe(context, 'version', () => hostileInt64(context.random)),
    ...maybe(context, 'ttlSeconds', () => hostileUint32(context.random)),
  }),
  GetNode: (context) => ({
    nodeId: hostileId(context.random, context.fixtures.readableNodes),
    ...maybe(context, 'version', () => hostileInt64(context.random)),
  }),
  ListNodes: (context) => ({
    driveId: context.random.chance(0.5) ? context.fixtures.driveId : hostileDriveId(context.random),
    pageSize: hostileUint32(context.random),
    pageToken: hostilePageToken(context),
  }),
  ListVersions: (context) => ({ nodeId: hostileId(context.random, context.fixtures.readableNodes) }),
  DeleteNode: (context) => ({ nodeId: hostileId(context.random, context.fixtures.deletableNodes) }),
};
