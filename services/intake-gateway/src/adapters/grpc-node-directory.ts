import type { Client } from '@grpc/grpc-js';
import { metadataV1 } from '@tessera/contracts';
import { callUnary, fromGrpcError } from '@tessera/grpc';
import { fromNodeMessage, type NodeVersion } from '@tessera/nodes';
import type { NodeDirectory, NodePage } from '../domain/node-directory.port';

const rpc = metadataV1.MetadataService.method;

/** NodeDirectory over the metadata service's gRPC API (and so its cache). */
export class GrpcNodeDirectory implements NodeDirectory {
  constructor(private readonly client: Client) {}

  getNode(nodeId: string, version: number | undefined): Promise<NodeVersion> {
    return this.call('GetNode', async () => {
      const request = { nodeId, ...(version !== undefined && { version: BigInt(version) }) };
      const { node } = await callUnary(this.client, rpc.getNode, request);
      return fromNodeMessage(node!);
    });
  }

  listNodes(driveId: string, pageSize: number, pageToken: string): Promise<NodePage> {
    return this.call('ListNodes', async () => {
      const page = await callUnary(this.client, rpc.listNodes, { driveId, pageSize, pageToken });
      return { nodes: page.nodes.map(fromNodeMessage), nextPageToken: page.nextPageToken };
    });
  }

  listVersions(nodeId: string): Promise<NodeVersion[]> {
    return this.call('ListVersions', async () =>
      (await callUnary(this.client, rpc.listVersions, { nodeId })).versions.map(fromNodeMessage),
    );
  }

  deleteNode(nodeId: string): Promise<void> {
    return this.call('DeleteNode', async () => {
      await callUnary(this.client, rpc.deleteNode, { nodeId });
    });
  }

  /** A refusal keeps its status and message (which names the field); the call is named for logs. */
  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw fromGrpcError(error, `metadata ${method}`);
    }
  }
}
