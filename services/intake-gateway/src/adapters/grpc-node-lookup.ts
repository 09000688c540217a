import type { Client } from '@grpc/grpc-js';
import { metadataV1 } from '@tessera/contracts';
import { callUnary, fromGrpcError } from '@tessera/grpc';
import { fromNodeMessage, type NodeVersion } from '@tessera/nodes';
import type { NodeLookup } from '../domain/file-source.port';

/** NodeLookup over the metadata service's GetNode (and so its cache). */
export class GrpcNodeLookup implements NodeLookup {
  constructor(private readonly client: Client) {}

  async getNode(nodeId: string, version: number | undefined): Promise<NodeVersion> {
    try {
      const { node } = await callUnary(this.client, metadataV1.MetadataService.method.getNode, {
        nodeId,
        ...(version !== undefined && { version: BigInt(version) }),
      });
      return fromNodeMessage(node!);
    } catch (error) {
      throw fromGrpcError(error, 'metadata GetNode');
    }
  }
}
