import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { internalV1 } from '@tessera/contracts';
import { GrpcRpc } from '@tessera/grpc';
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
    return { latestVersion: BigInt(await this.domain.reader.refresh(request.nodeId)) };
  }

  @GrpcRpc(internalV1.NodeCacheService, 'GetCacheHealth')
  getCacheHealth(): Init<typeof internalV1.GetCacheHealthResponseSchema> {
    return this.domain.cacheHealth.answer();
  }
}
