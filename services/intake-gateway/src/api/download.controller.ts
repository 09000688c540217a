import type { MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { downloadV1 } from '@tessera/contracts';
import { GrpcRpc } from '@tessera/grpc';
import { toNodeMessage } from '@tessera/nodes';
import { iterateInSpan } from '@tessera/telemetry';
import type { FileRead } from '../domain/file-reader';
import { INTAKE_DOMAIN, type IntakeDomain } from '../intake-domain';
import { optionalNumber } from '@tessera/grpc';

type ReadFileMessage = MessageInitShape<typeof downloadV1.ReadFileResponseSchema>;

/** The public download API: translation and validation only. */
@Controller()
export class DownloadController {
  constructor(@Inject(INTAKE_DOMAIN) private readonly intake: IntakeDomain) {}

  /** Resolves before the first message, so a bad request fails the call with its status. */
  @GrpcRpc(downloadV1.DownloadService, 'ReadFile')
  async readFile(request: downloadV1.ReadFileRequest): Promise<AsyncIterable<ReadFileMessage>> {
    const read = await this.intake.files.read(
      request.nodeId,
      optionalNumber('version', request.version),
      optionalNumber('offset', request.offset),
      optionalNumber('length', request.length),
    );
    // The ranged S3 reads run side by side inside this span, under the call's own.
    return iterateInSpan('download.stream', this.messagesOf(read), {
      'tessera.node_id': read.node.nodeId,
      'tessera.range.offset': read.range.offset,
      'tessera.range.length': read.range.length,
    });
  }

  @GrpcRpc(downloadV1.DownloadService, 'GetDownloadUrl')
  async getDownloadUrl(
    request: downloadV1.GetDownloadUrlRequest,
  ): Promise<MessageInitShape<typeof downloadV1.GetDownloadUrlResponseSchema>> {
    const { node, url, ttlSeconds } = await this.intake.files.downloadUrl(
      request.nodeId,
      optionalNumber('version', request.version),
      request.ttlSeconds,
    );
    return { url, node: toNodeMessage(node), ttlSeconds };
  }

  private async *messagesOf(read: FileRead): AsyncIterable<ReadFileMessage> {
    const node = toNodeMessage(read.node);
    let first = true;
    const max = this.intake.readMessageBytes;
    for await (const piece of read.pieces) {
      for (let start = 0; start < piece.data.length; start += max) {
        yield {
          ...(first && { node }),
          offset: BigInt(piece.offset + start),
          // The piece itself when it fits: a subarray of it would lose the room it was allocated with.
          data: piece.data.length <= max ? piece.data : piece.data.subarray(start, start + max),
        };
        first = false;
      }
    }
    if (first) yield { node, offset: BigInt(read.range.offset) }; // an empty range: metadata only
  }
}
