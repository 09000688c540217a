import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject, Logger } from '@nestjs/common';
import { internalV1, type uploadV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import { GrpcRpc } from '@tessera/grpc';
import { REPOSITORY_DOMAIN, type RepositoryDomain } from '../repository-domain';
import type { BatchChunk, ChunkBody, ChunkSettlement } from '../domain/chunks/chunk-writer';
import { batchable, joinsBatch } from '../domain/chunks/chunk-batches';
import { arrivedRuns } from './arrived-runs';
import { framedChunks, relayedChunk, type RelayedChunk } from './chunk-frames';
import { chunkHeaderOf, chunkResultOf, type ChunkResultMessage } from './chunk-results';
import { toNodeMessage, type NodeVersion } from '@tessera/nodes';
import { initiateRequestOf, requireUuid, toRangeMessages, toSafeNumber, toUploadInfo } from './proto-mapping';

type Init<Schema extends DescMessage> = MessageInitShape<Schema>;

/** The internal API the intake gateway calls: translation and validation only. */
@Controller()
export class RepositoryController {
  private readonly logger = new Logger('Uploads');

  constructor(@Inject(REPOSITORY_DOMAIN) private readonly domain: RepositoryDomain) {}

  @GrpcRpc(internalV1.RepositoryService, 'CreateUpload')
  async createUpload(
    request: internalV1.CreateUploadRequest,
  ): Promise<Init<typeof internalV1.CreateUploadResponseSchema>> {
    const initiate = request.request;
    if (!initiate) throw TesseraError.invalidArgument('request', 'is required');
    const upload = await this.domain.sessions.initiate(initiateRequestOf(initiate));
    return {
      response: { uploadId: upload.uploadId, nodeId: upload.nodeId, ...this.limitsMessage() },
    };
  }

  @GrpcRpc(internalV1.RepositoryService, 'GetLimits')
  getLimits(): Init<typeof internalV1.GetLimitsResponseSchema> {
    return { response: this.limitsMessage() };
  }

  @GrpcRpc(internalV1.RepositoryService, 'UploadFile')
  async uploadFile(
    request: internalV1.UploadFileRequest,
  ): Promise<Init<typeof internalV1.UploadFileResponseSchema>> {
    const file = request.request;
    if (!file) throw TesseraError.invalidArgument('request', 'is required');
    const node = await this.domain.oneCall.upload({
      ...initiateRequestOf(file),
      data: file.data,
      sha256: file.sha256,
    });
    this.logCompleted(node);
    return { response: { node: toNodeMessage(node), uploadId: node.uploadId } };
  }

  @GrpcRpc(internalV1.RepositoryService, 'WriteChunks')
  async writeChunks(
    frames: AsyncIterable<internalV1.WriteChunksRequest>,
  ): Promise<Init<typeof internalV1.WriteChunksResponseSchema>> {
    const results: ChunkResultMessage[] = [];
    for await (const { header, body } of framedChunks(frames)) {
      results.push(await this.writeChunk(header, body));
    }
    return { results };
  }

  /**
   * Chunks as the client sent them, each whole; each chunk's result is answered once it is settled
   * (durable, or refused: the stream goes on). Small chunks of one upload that arrived together are
   * written as one batch (group commit, docs/upload.md).
   */
  @GrpcRpc(internalV1.RepositoryService, 'RelayChunks')
  async *relayChunks(
    requests: AsyncIterable<internalV1.RelayChunksRequest>,
  ): AsyncIterable<Init<typeof internalV1.RelayChunksResponseSchema>> {
    const joins = (run: readonly Relayed[], next: Relayed) =>
      run[0]!.chunk !== undefined &&
      next.chunk !== undefined &&
      joinsBatch(
        run.map((relayed) => relayed.chunk!),
        next.chunk,
        this.domain.groupCommit.batchBytes(),
      );
    const opens = ({ chunk }: Relayed) =>
      chunk !== undefined && batchable(chunk) && this.domain.groupCommit.batchBytes() > 0;
    for await (const run of arrivedRuns(relayedChunks(requests), joins, opens)) {
      const results = run.length === 1 ? [await this.writeRelayed(run[0]!)] : await this.writeBatch(run);
      for (const result of results) yield { result };
    }
  }

  @GrpcRpc(internalV1.RepositoryService, 'CompleteUpload')
  async completeUpload(
    request: internalV1.CompleteUploadRequest,
  ): Promise<Init<typeof internalV1.CompleteUploadResponseSchema>> {
    const complete = request.request;
    if (!complete) throw TesseraError.invalidArgument('request', 'is required');
    const node = await this.domain.completer.complete({
      uploadId: requireUuid('upload_id', complete.uploadId),
      totalChunks:
        complete.totalChunks === undefined ? undefined : toSafeNumber('total_chunks', complete.totalChunks),
      sha256: complete.sha256,
      verify: complete.verify,
    });
    this.logCompleted(node);
    return { node: toNodeMessage(node) };
  }

  @GrpcRpc(internalV1.RepositoryService, 'GetUploadStatus')
  async getUploadStatus(
    request: internalV1.GetUploadStatusRequest,
  ): Promise<Init<typeof internalV1.GetUploadStatusResponseSchema>> {
    const status = await this.domain.sessions.status(requireUuid('upload_id', request.uploadId));
    return {
      status: {
        upload: toUploadInfo(status.upload),
        received: toRangeMessages(status.received),
        missing: toRangeMessages(status.missing),
        receivedBytes: BigInt(status.receivedBytes),
      },
    };
  }

  @GrpcRpc(internalV1.RepositoryService, 'AbortUpload')
  async abortUpload(
    request: internalV1.AbortUploadRequest,
  ): Promise<Init<typeof internalV1.AbortUploadResponseSchema>> {
    await this.domain.sessions.abort(requireUuid('upload_id', request.uploadId));
    return {};
  }

  @GrpcRpc(internalV1.RepositoryService, 'DeleteNode')
  async deleteNode(
    request: internalV1.DeleteNodeRequest,
  ): Promise<Init<typeof internalV1.DeleteNodeResponseSchema>> {
    const versions = await this.domain.deleter.delete(requireUuid('node_id', request.nodeId));
    return { versions: versions.map(toNodeMessage) };
  }

  /** Written inside the call's span, so the line carries its trace_id (docs/observability.md). */
  private logCompleted(node: NodeVersion): void {
    const { uploadId, nodeId, version, size, sha256VerifiedBy } = node;
    this.logger.log({ message: 'upload completed', uploadId, nodeId, version, size, sha256VerifiedBy });
  }

  private limitsMessage(): { suggestedChunkBytes: bigint; limits: Init<typeof uploadV1.ServerLimitsSchema> } {
    const { limits } = this.domain;
    return {
      suggestedChunkBytes: BigInt(limits.suggestedChunkBytes),
      limits: {
        maxChunkBytes: BigInt(limits.maxChunkBytes),
        maxChunkNumber: BigInt(limits.maxChunkNumber),
        maxInflightChunksPerUpload: limits.maxInflightChunksPerUpload,
        maxOneCallFileBytes: BigInt(limits.maxOneCallFileBytes),
      },
    };
  }

  /** One chunk's outcome; a refused chunk is reported in the results and the stream goes on. */
  private async writeChunk(header: internalV1.ChunkHeader, body: ChunkBody): Promise<ChunkResultMessage> {
    const settled = await Promise.resolve()
      .then(() => this.domain.writer.write(chunkHeaderOf(header), body))
      .then(
        (value): ChunkSettlement => ({ status: 'fulfilled', value }),
        (reason: unknown): ChunkSettlement => ({ status: 'rejected', reason }),
      );
    return chunkResultOf(header.chunkNumber, settled);
  }

  private writeRelayed({ header, data }: Relayed): Promise<ChunkResultMessage> {
    return this.writeChunk(header, [data]);
  }

  private async writeBatch(run: Relayed[]): Promise<ChunkResultMessage[]> {
    const settled = await this.domain.writer
      .writeBatch(run.map((relayed) => relayed.chunk!))
      .catch((reason: unknown) => run.map((): ChunkSettlement => ({ status: 'rejected', reason })));
    return settled.map((settlement, k) => chunkResultOf(run[k]!.header.chunkNumber, settlement));
  }
}

/** A relayed chunk, with the domain's view of it unless its header is malformed (then written alone). */
interface Relayed extends RelayedChunk {
  chunk: BatchChunk | undefined;
}

async function* relayedChunks(
  requests: AsyncIterable<internalV1.RelayChunksRequest>,
): AsyncIterable<Relayed> {
  for await (const request of requests) {
    const relayed = relayedChunk(request);
    let chunk: BatchChunk | undefined;
    try {
      chunk = { header: chunkHeaderOf(relayed.header), data: relayed.data };
    } catch {
      chunk = undefined; // refused with its reason when written alone
    }
    yield { ...relayed, chunk };
  }
}
