import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Controller, Inject } from '@nestjs/common';
import { internalV1, type uploadV1 } from '@tessera/contracts';
import { ErrorCode, TesseraError } from '@tessera/errors';
import { GrpcRpc } from '@tessera/grpc';
import type { PresignedChunk } from '../domain/chunks/direct-chunks';
import { REPOSITORY_DOMAIN, type RepositoryDomain } from '../repository-domain';
import { requireUuid, toSafeNumber } from './proto-mapping';

type Init<Schema extends DescMessage> = MessageInitShape<Schema>;

function toPresignedChunkMessage(chunk: PresignedChunk): Init<typeof uploadV1.PresignedChunkSchema> {
  const chunkNumber = BigInt(chunk.chunkNumber);
  if (chunk.stored) return { chunkNumber, stored: true };
  return {
    chunkNumber,
    url: chunk.url,
    headers: chunk.headers,
    expiresAt: timestampFromDate(chunk.expiresAt),
  };
}

/** PresignChunks: chunks the client writes straight to S3 (translation and validation only). */
@Controller()
export class DirectChunksController {
  constructor(@Inject(REPOSITORY_DOMAIN) private readonly domain: RepositoryDomain) {}

  @GrpcRpc(internalV1.RepositoryService, 'PresignChunks')
  async presignChunks(
    request: internalV1.PresignChunksRequest,
  ): Promise<Init<typeof internalV1.PresignChunksResponseSchema>> {
    const presign = request.request;
    if (!presign) throw TesseraError.invalidArgument('request', 'is required');
    if (!this.domain.direct)
      throw new TesseraError(ErrorCode.FailedPrecondition, 'direct uploads are turned off on this server');
    const chunks = await this.domain.direct.presign({
      uploadId: requireUuid('upload_id', presign.uploadId),
      chunks: presign.chunks.map((chunk, index) => ({
        chunkNumber: toSafeNumber(`chunks[${index}].chunk_number`, chunk.chunkNumber),
        size: toSafeNumber(`chunks[${index}].size`, chunk.size),
        sha256: chunk.sha256,
      })),
      totalChunks:
        presign.totalChunks === undefined ? undefined : toSafeNumber('total_chunks', presign.totalChunks),
      force: presign.force,
      ttlSeconds: presign.ttlSeconds,
    });
    return { response: { chunks: chunks.map(toPresignedChunkMessage) } };
  }
}
