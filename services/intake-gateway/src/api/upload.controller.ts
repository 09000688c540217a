import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { uploadV1 } from '@tessera/contracts';
import { ErrorCode, grpcStatusOf, isTesseraError, TesseraError } from '@tessera/errors';
import { GrpcRpc } from '@tessera/grpc';
import { checkChunk } from '../domain/chunk-check';
import type { CheckedChunk } from '../domain/repository.port';
import { chunkRefusal } from './chunk-refusal';
import { collect, ResultQueue, single } from './async-results';
import { INTAKE_DOMAIN, type IntakeDomain } from '../intake-domain';

type Init<Schema extends DescMessage> = MessageInitShape<Schema>;
type ChunkResultInit = Init<typeof uploadV1.ChunkResultSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function requireUploadId(uploadId: string): string {
  if (!UUID.test(uploadId)) throw TesseraError.invalidArgument('upload_id', 'must be a UUID');
  return uploadId;
}

/** The public upload API: checks chunks, then hands everything to the repository service. */
@Controller()
export class UploadController {
  constructor(@Inject(INTAKE_DOMAIN) private readonly intake: IntakeDomain) {}

  @GrpcRpc(uploadV1.UploadService, 'InitiateUpload')
  async initiateUpload(request: uploadV1.InitiateUploadRequest): Promise<uploadV1.InitiateUploadResponse> {
    await this.intake.newUploads.admit();
    return this.intake.repository.createUpload(request);
  }

  /** One chunk; a refused chunk is an error status with the reason. */
  @GrpcRpc(uploadV1.UploadService, 'UploadChunk')
  async uploadChunk(
    request: uploadV1.UploadChunkRequest,
  ): Promise<Init<typeof uploadV1.UploadChunkResponseSchema>> {
    const checked = checkChunk(request, this.intake.limits);
    const release = this.intake.chunkBytes.reserve(
      checked.data.length,
      `chunk ${checked.chunkNumber} of upload ${checked.uploadId}`,
    );
    const [result] = await collect(this.intake.repository.writeChunks(single(checked))).finally(release);
    if (!result) throw new TesseraError(ErrorCode.Internal, 'the repository reported no result');
    if (result.code !== 0) throw chunkRefusal(result);
    return { result };
  }

  /** Many chunks on one stream; every chunk gets a result, in the order sent. */
  @GrpcRpc(uploadV1.UploadService, 'UploadChunks')
  async uploadChunks(
    requests: AsyncIterable<uploadV1.UploadChunksRequest>,
  ): Promise<Init<typeof uploadV1.UploadChunksResponseSchema>> {
    const results: ChunkResultInit[] = [];
    const forwarded: number[] = [];
    const checked = this.checkedChunks(requests, {
      forwarded: (position) => forwarded.push(position),
      refused: (position, result) => (results[position] = result),
    });
    let k = 0;
    for await (const result of this.intake.repository.writeChunks(checked)) results[forwarded[k++]!] = result;
    return { results };
  }

  /** Many chunks on one stream; each chunk's result is answered as soon as it is settled. */
  @GrpcRpc(uploadV1.UploadService, 'StreamChunks')
  async *streamChunks(
    requests: AsyncIterable<uploadV1.StreamChunksRequest>,
  ): AsyncIterable<Init<typeof uploadV1.StreamChunksResponseSchema>> {
    const results = new ResultQueue<ChunkResultInit>();
    const checked = this.checkedChunks(requests, { refused: (_position, result) => results.push(result) });
    const forwarding = (async () => {
      for await (const result of this.intake.repository.writeChunks(checked)) results.push(result);
    })().then(
      () => results.close(),
      (error: unknown) => results.fail(error),
    );
    for await (const result of results) yield { result };
    await forwarding;
  }

  /**
   * The requests' chunks that pass the gateway's checks, each holding its bytes in the budget until
   * it has been forwarded; a refused one is reported with its position on the stream.
   */
  private async *checkedChunks(
    requests: AsyncIterable<uploadV1.UploadChunksRequest | uploadV1.StreamChunksRequest>,
    report: {
      forwarded?: (position: number) => void;
      refused: (position: number, result: ChunkResultInit) => void;
    },
  ): AsyncIterable<CheckedChunk> {
    const { limits, chunkBytes } = this.intake;
    let position = 0;
    for await (const request of requests) {
      let release: (() => void) | undefined;
      try {
        const checked = checkChunk(request, limits);
        release = chunkBytes.reserve(
          checked.data.length,
          `chunk ${checked.chunkNumber} of upload ${checked.uploadId}`,
        );
        report.forwarded?.(position);
        yield checked; // resumed once the chunk has been forwarded: its bytes are no longer held
      } catch (error) {
        if (!isTesseraError(error)) throw error;
        report.refused(position, {
          chunkNumber: request.chunk?.chunkNumber ?? 0n,
          code: grpcStatusOf(error.code),
          message: error.message,
          ...(error.retryAfterSeconds !== undefined && { retryAfterSeconds: error.retryAfterSeconds }),
        });
      } finally {
        release?.();
        position++;
      }
    }
  }

  @GrpcRpc(uploadV1.UploadService, 'CompleteUpload')
  async completeUpload(
    request: uploadV1.CompleteUploadRequest,
  ): Promise<Init<typeof uploadV1.CompleteUploadResponseSchema>> {
    requireUploadId(request.uploadId);
    return { node: await this.intake.repository.completeUpload(request) };
  }

  @GrpcRpc(uploadV1.UploadService, 'GetUploadStatus')
  getUploadStatus(request: uploadV1.GetUploadStatusRequest): Promise<uploadV1.GetUploadStatusResponse> {
    return this.intake.repository.getUploadStatus(requireUploadId(request.uploadId));
  }

  /** A whole small file: a new upload as far as the gates go, its bytes held like a chunk's. */
  @GrpcRpc(uploadV1.UploadService, 'UploadFile')
  async uploadFile(request: uploadV1.UploadFileRequest): Promise<uploadV1.UploadFileResponse> {
    await this.intake.serverLimits.checkOneCall(request.data.length);
    await this.intake.newUploads.admit();
    const release = this.intake.chunkBytes.reserve(request.data.length, `file "${request.name}"`);
    try {
      return await this.intake.repository.uploadFile(request);
    } finally {
      release();
    }
  }

  @GrpcRpc(uploadV1.UploadService, 'GetLimits')
  getLimits(): Promise<uploadV1.GetLimitsResponse> {
    return this.intake.serverLimits.get();
  }

  /** URLs for chunks the client writes straight to S3; the repository checks them against S3's rules. */
  @GrpcRpc(uploadV1.UploadService, 'PresignChunks')
  presignChunks(request: uploadV1.PresignChunksRequest): Promise<uploadV1.PresignChunksResponse> {
    requireUploadId(request.uploadId);
    return this.intake.repository.presignChunks(request);
  }

  @GrpcRpc(uploadV1.UploadService, 'AbortUpload')
  async abortUpload(
    request: uploadV1.AbortUploadRequest,
  ): Promise<Init<typeof uploadV1.AbortUploadResponseSchema>> {
    await this.intake.repository.abortUpload(requireUploadId(request.uploadId));
    return {};
  }
}
