import { create } from '@bufbuild/protobuf';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { internalV1, uploadV1, type metadataV1 } from '@tessera/contracts';
import {
  callBidiStream,
  callClientStream,
  callUnary,
  fromGrpcError,
  relayAs,
  relayRequestsOf,
} from '@tessera/grpc';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { CheckedChunk, Repository } from '../domain/repository.port';
import { framesOf } from './framed-chunks';
import { ReplayableChunks } from './replayable-chunks';

const rpc = internalV1.RepositoryService.method;

/** The public requests a chunk comes in: relayed to the repository service as the bytes received. */
const CHUNK_REQUESTS = [
  uploadV1.UploadChunksRequestSchema,
  uploadV1.UploadChunkRequestSchema,
  uploadV1.StreamChunksRequestSchema,
];
relayRequestsOf(...CHUNK_REQUESTS);

/** A chunk as the repository service's RelayChunks takes it, without re-encoding a received one. */
function relayRequestOf(chunk: CheckedChunk): internalV1.RelayChunksRequest {
  const { received } = chunk;
  const from = received && CHUNK_REQUESTS.find((schema) => schema.typeName === received.$typeName);
  if (received && from) return relayAs(from, received, internalV1.RelayChunksRequestSchema);
  const { uploadId, chunkNumber, data, sha256, force } = chunk;
  return create(internalV1.RelayChunksRequestSchema, {
    chunk: { uploadId, chunkNumber, data, sha256, force },
  });
}

async function* relayRequestsOfChunks(chunks: AsyncIterable<CheckedChunk>) {
  for await (const chunk of chunks) yield relayRequestOf(chunk);
}

/** Repository over the repository service's internal gRPC API. */
export class GrpcRepository implements Repository {
  /** False once the repository service answered RelayChunks UNIMPLEMENTED. */
  private relays = true;

  constructor(private readonly client: Client) {}

  async createUpload(request: uploadV1.InitiateUploadRequest): Promise<uploadV1.InitiateUploadResponse> {
    const response = await this.call('CreateUpload', () =>
      callUnary(this.client, rpc.createUpload, { request }),
    );
    return response.response!;
  }

  /**
   * Relays the chunks on RelayChunks. A repository service older than this gateway (a rolling
   * upgrade that reached the gateway first) answers UNIMPLEMENTED before anything else: the chunks
   * already taken and the rest then go on WriteChunks, as do the calls after it.
   */
  async *writeChunks(chunks: AsyncIterable<CheckedChunk>): AsyncIterable<uploadV1.ChunkResult> {
    if (!this.relays) {
      yield* this.writeFramed(chunks);
      return;
    }
    const replayable = new ReplayableChunks(chunks);
    let answered = false;
    let fallBack = false;
    try {
      const requests = relayRequestsOfChunks(replayable);
      for await (const { result } of callBidiStream(this.client, rpc.relayChunks, requests, {
        maxQueuedMessages: 1,
      })) {
        if (!answered) replayable.settled();
        answered = true;
        if (!result)
          throw new TesseraError(ErrorCode.Internal, 'the repository answered a chunk without its result');
        yield result;
      }
    } catch (error) {
      fallBack = !answered && (error as Partial<ServiceError>).code === status.UNIMPLEMENTED;
      if (!fallBack) throw fromGrpcError(error, 'repository RelayChunks');
    } finally {
      // Not awaited: the source may be waiting for its client's next message.
      if (!fallBack) void replayable.close().catch(() => undefined);
    }
    if (fallBack) {
      this.relays = false;
      yield* this.writeFramed(replayable.replay());
    }
  }

  private async *writeFramed(chunks: AsyncIterable<CheckedChunk>): AsyncIterable<uploadV1.ChunkResult> {
    const response = await this.call('WriteChunks', () =>
      callClientStream(this.client, rpc.writeChunks, framesOf(chunks), { maxQueuedMessages: 2 }),
    );
    yield* response.results;
  }

  async completeUpload(request: uploadV1.CompleteUploadRequest): Promise<metadataV1.Node> {
    return (await this.call('CompleteUpload', () => callUnary(this.client, rpc.completeUpload, { request })))
      .node!;
  }

  async getUploadStatus(uploadId: string): Promise<uploadV1.GetUploadStatusResponse> {
    return (
      await this.call('GetUploadStatus', () => callUnary(this.client, rpc.getUploadStatus, { uploadId }))
    ).status!;
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.call('AbortUpload', () => callUnary(this.client, rpc.abortUpload, { uploadId }));
  }

  async uploadFile(request: uploadV1.UploadFileRequest): Promise<uploadV1.UploadFileResponse> {
    return (await this.call('UploadFile', () => callUnary(this.client, rpc.uploadFile, { request })))
      .response!;
  }

  async presignChunks(request: uploadV1.PresignChunksRequest): Promise<uploadV1.PresignChunksResponse> {
    return (await this.call('PresignChunks', () => callUnary(this.client, rpc.presignChunks, { request })))
      .response!;
  }

  async getLimits(): Promise<uploadV1.GetLimitsResponse> {
    return (await this.call('GetLimits', () => callUnary(this.client, rpc.getLimits, {}))).response!;
  }

  private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw fromGrpcError(error, `repository ${what}`);
    }
  }
}
