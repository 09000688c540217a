import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { metadataV1 } from '@tessera/contracts';
import { GrpcRpc, optionalNumber } from '@tessera/grpc';
import { toNodeMessage } from '@tessera/nodes';
import { inSpan } from '@tessera/telemetry';
import { METADATA_DOMAIN, type MetadataDomain } from '../metadata-domain';

type Init<Schema extends DescMessage> = MessageInitShape<Schema>;

/** The public metadata API: translation and validation only. */
@Controller()
export class MetadataController {
  constructor(@Inject(METADATA_DOMAIN) private readonly domain: MetadataDomain) {}

  /** In a span of its own that carries cache.hit (set by the cache observer). */
  @GrpcRpc(metadataV1.MetadataService, 'GetNode')
  getNode(request: metadataV1.GetNodeRequest): Promise<Init<typeof metadataV1.GetNodeResponseSchema>> {
    return inSpan('metadata.get_node', async (span) => {
      span.setAttribute('tessera.node_id', request.nodeId);
      const version = optionalNumber('version', request.version);
      const { node, cacheHit } = await this.domain.reader.getNode(request.nodeId, version);
      return { node: toNodeMessage(node), cacheHit };
    });
  }

  @GrpcRpc(metadataV1.MetadataService, 'ListNodes')
  async listNodes(
    request: metadataV1.ListNodesRequest,
  ): Promise<Init<typeof metadataV1.ListNodesResponseSchema>> {
    const page = await this.domain.reader.listNodes(request.driveId, request.pageSize, request.pageToken);
    return { nodes: page.nodes.map(toNodeMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcRpc(metadataV1.MetadataService, 'ListVersions')
  async listVersions(
    request: metadataV1.ListVersionsRequest,
  ): Promise<Init<typeof metadataV1.ListVersionsResponseSchema>> {
    return { versions: (await this.domain.reader.listVersions(request.nodeId)).map(toNodeMessage) };
  }

  @GrpcRpc(metadataV1.MetadataService, 'DeleteNode')
  async deleteNode(
    request: metadataV1.DeleteNodeRequest,
  ): Promise<Init<typeof metadataV1.DeleteNodeResponseSchema>> {
    await this.domain.reader.delete(request.nodeId);
    return {};
  }
}
