import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { metadataV1 } from '@tessera/contracts';
import { GrpcRpc } from '@tessera/grpc';
import { toNodeMessage } from '@tessera/nodes';
import { INTAKE_DOMAIN, type IntakeDomain } from '../intake-domain';
import { optionalNumber } from '@tessera/grpc';

type Init<Schema extends DescMessage> = MessageInitShape<Schema>;

/**
 * tessera.metadata.v1.MetadataService on the public port: node reads, listings and deletes for
 * clients outside the deployment, answered by the metadata service.
 */
@Controller()
export class NodesController {
  constructor(@Inject(INTAKE_DOMAIN) private readonly intake: IntakeDomain) {}

  @GrpcRpc(metadataV1.MetadataService, 'GetNode')
  async getNode(request: metadataV1.GetNodeRequest): Promise<Init<typeof metadataV1.GetNodeResponseSchema>> {
    const version = optionalNumber('version', request.version);
    return { node: toNodeMessage(await this.intake.nodes.getNode(request.nodeId, version)) };
  }

  @GrpcRpc(metadataV1.MetadataService, 'ListNodes')
  async listNodes(
    request: metadataV1.ListNodesRequest,
  ): Promise<Init<typeof metadataV1.ListNodesResponseSchema>> {
    const page = await this.intake.nodes.listNodes(request.driveId, request.pageSize, request.pageToken);
    return { nodes: page.nodes.map(toNodeMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcRpc(metadataV1.MetadataService, 'ListVersions')
  async listVersions(
    request: metadataV1.ListVersionsRequest,
  ): Promise<Init<typeof metadataV1.ListVersionsResponseSchema>> {
    return { versions: (await this.intake.nodes.listVersions(request.nodeId)).map(toNodeMessage) };
  }

  @GrpcRpc(metadataV1.MetadataService, 'DeleteNode')
  async deleteNode(
    request: metadataV1.DeleteNodeRequest,
  ): Promise<Init<typeof metadataV1.DeleteNodeResponseSchema>> {
    await this.intake.nodes.deleteNode(request.nodeId);
    return {};
  }
}
