import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Client } from '@grpc/grpc-js';
import { internalV1, type metadataV1, type uploadV1 } from '@tessera/contracts';
import { callClientStream, callUnary, fromGrpcError } from '@tessera/grpc';
import type { CheckedChunk, Repository } from '../domain/repository.port';

const rpc = internalV1.RepositoryService.method;
type Frame = MessageInitShape<typeof internalV1.WriteChunksRequestSchema>;

/** Repository over the repository service's internal gRPC API. */
export class GrpcRepository implements Repository {
  constructor(
    private readonly client: Client,
    /** Size of the data frames a chunk is split into. */
    private readonly frameBytes: number,
  ) {}

  async createUpload(request: uploadV1.InitiateUploadRequest): Promise<uploadV1.InitiateUploadResponse> {
    const response = await this.call('CreateUpload', () =>
      callUnary(this.client, rpc.createUpload, { request }),
    );
    return response.response!;
  }

  async writeChunks(chunks: AsyncIterable<CheckedChunk>): Promise<uploadV1.ChunkResult[]> {
    const response = await this.call('WriteChunks', () =>
      callClientStream(this.client, rpc.writeChunks, this.framesOf(chunks), { maxQueuedMessages: 2 }),
    );
    return response.results;
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

  private async *framesOf(chunks: AsyncIterable<CheckedChunk>): AsyncIterable<Frame> {
    for await (const chunk of chunks) {
      const { uploadId, chunkNumber, sha256, force, data } = chunk;
      yield {
        frame: { case: 'header', value: { uploadId, chunkNumber, sha256, force, size: BigInt(data.length) } },
      };
      for (let offset = 0; offset < data.length; offset += this.frameBytes) {
        yield { frame: { case: 'data', value: data.subarray(offset, offset + this.frameBytes) } };
      }
      yield { frame: { case: 'end', value: {} } };
    }
  }

  private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw fromGrpcError(error, `repository ${what}`);
    }
  }
}
