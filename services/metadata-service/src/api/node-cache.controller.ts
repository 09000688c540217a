import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { internalV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import { GrpcRpc } from '@tessera/grpc';
import { fromNodeMessage } from '@tessera/nodes';
import { METADATA_DOMAIN, type MetadataDomain } from '../metadata-domain';

type Init<Schema extends DescMessage> = MessageInitShape<Schema>;

/** The internal API writers call before they report a write done. */
@Controller()
export class NodeCacheController {
  constructor(@Inject(METADATA_DOMAIN) private readonly domain: MetadataDomain) {}

  @GrpcRpc(internalV1.NodeCacheService, 'RefreshNode')
  async refreshNode(
    request: internalV1.RefreshNodeRequest,
  ): Promise<Init<typeof internalV1.RefreshNodeResponseSchema>> {
    const { written } = request;
    if (!written) return { latestVersion: BigInt(await this.domain.reader.refresh(request.nodeId)) };
    if (written.nodeId !== request.nodeId)
      throw TesseraError.invalidArgument('written.node_id', `must be the node_id ${request.nodeId}`);
    const node = { ...fromNodeMessage(written), uploadId: request.writtenByUploadId };
    return { latestVersion: BigInt(await this.domain.reader.refreshWith(node)) };
  }

  @GrpcRpc(internalV1.NodeCacheService, 'GetCacheHealth')
  getCacheHealth(): Init<typeof internalV1.GetCacheHealthResponseSchema> {
    return this.domain.cacheHealth.answer();
  }
}
