import {
  create,
  toBinary,
  type DescMethod,
  type DescService,
  type MessageInitShape,
} from '@bufbuild/protobuf';
import { downloadV1, metadataV1, uploadV1 } from '@tessera/contracts';

/** The gRPC services the intake gateway serves on its public port. */
export const PUBLIC_SERVICES: readonly DescService[] = [
  uploadV1.UploadService,
  downloadV1.DownloadService,
  metadataV1.MetadataService,
];

export interface PublicMethod {
  /** e.g. /tessera.upload.v1.UploadService/UploadChunk */
  path: string;
  method: DescMethod;
}

export const PUBLIC_METHODS: readonly PublicMethod[] = PUBLIC_SERVICES.flatMap((service) =>
  service.methods.map((method) => ({ path: `/${service.typeName}/${method.name}`, method })),
);

export function publicMethod(name: string): PublicMethod {
  const found = PUBLIC_METHODS.find(({ method }) => method.name === name);
  if (!found) throw new Error(`no public method ${name}`);
  return found;
}

/** Paths nothing on the public port serves: unknown methods and services, internal APIs. */
export const UNKNOWN_PATHS = [
  '/tessera.upload.v1.UploadService/Nope',
  '/tessera.upload.v1.UploadService/',
  '/tessera.upload.v1.UploadService/uploadChunk',
  '/tessera.upload.v2.UploadService/UploadChunk',
  '/tessera.internal.v1.RepositoryService/WriteChunks',
  '/tessera.internal.v1.RepositoryService/RelayChunks',
  '/tessera.internal.v1.NodeCacheService/RefreshNode',
  '/../../etc/passwd',
  '/',
  '/x',
  `/${'A'.repeat(2000)}/B`,
] as const;

/** A request of `method` encoded as protobuf; every field of `init` must belong to its input type. */
export function encodeRequest(method: DescMethod, init: Record<string, unknown>): Buffer {
  const bytes = toBinary(method.input, create(method.input, init as MessageInitShape<typeof method.input>));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when the method's client sends a stream of requests. */
export function takesStream(method: DescMethod): boolean {
  return method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
}
