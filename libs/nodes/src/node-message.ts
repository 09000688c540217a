import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { metadataV1 } from '@tessera/contracts';
import type { NodeVersion } from './node-version';

/** A node version as the public `tessera.metadata.v1.Node` message. */
export function toNodeMessage(node: NodeVersion): MessageInitShape<typeof metadataV1.NodeSchema> {
  return {
    nodeId: node.nodeId,
    driveId: node.driveId,
    name: node.name,
    version: BigInt(node.version),
    size: BigInt(node.size),
    sha256: node.sha256,
    sha256VerifiedBy:
      node.sha256VerifiedBy === 'client'
        ? metadataV1.Sha256VerifiedBy.CLIENT
        : metadataV1.Sha256VerifiedBy.SERVICE,
    mimeType: node.mimeType,
    userMetadata: node.userMetadata,
    location: {
      bucket: node.bucket,
      key: node.objectKey,
      versionId: node.objectVersionId ?? '',
      etag: node.etag,
      partSizes: node.partSizes.map(BigInt),
      partSha256: node.partSha256,
    },
    createdAt: timestampFromDate(node.createdAt),
    updatedAt: timestampFromDate(node.createdAt),
  };
}

/** A `tessera.metadata.v1.Node` message as a node version (what another service answered). */
export function fromNodeMessage(message: metadataV1.Node): NodeVersion {
  const location = message.location;
  return {
    nodeId: message.nodeId,
    version: Number(message.version),
    driveId: message.driveId,
    name: message.name,
    size: Number(message.size),
    sha256: message.sha256,
    sha256VerifiedBy: message.sha256VerifiedBy === metadataV1.Sha256VerifiedBy.CLIENT ? 'client' : 'service',
    mimeType: message.mimeType,
    userMetadata: { ...message.userMetadata },
    bucket: location?.bucket ?? '',
    objectKey: location?.key ?? '',
    objectVersionId: location?.versionId || undefined,
    etag: location?.etag ?? '',
    partSizes: (location?.partSizes ?? []).map(Number),
    partSha256: [...(location?.partSha256 ?? [])],
    uploadId: '',
    createdAt: message.createdAt ? timestampDate(message.createdAt) : new Date(0),
  };
}
