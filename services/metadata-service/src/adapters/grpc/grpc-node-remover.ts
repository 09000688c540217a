import type { Client } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callUnary, fromGrpcError } from '@tessera/grpc';
import type { NodeRemover } from '../../domain/node-remover.port';

/** NodeRemover over the repository service's internal DeleteNode. */
export class GrpcNodeRemover implements NodeRemover {
  constructor(private readonly client: Client) {}

  async deleteNode(nodeId: string): Promise<number[]> {
    try {
      const { versions } = await callUnary(this.client, internalV1.RepositoryService.method.deleteNode, {
        nodeId,
      });
      return versions.map((version) => Number(version.version));
    } catch (error) {
      throw fromGrpcError(error, 'repository DeleteNode');
    }
  }
}
