import { toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  file.dependencies.forEach((dependency) => collectFiles(dependency, into));
}

/**
 * Server reflection (so grpcurl and similar tools work) over the given services and the health
 * service, built from the protobuf-es descriptors: the same contracts the server speaks.
 */
export function reflectionServiceFor(services: DescService[]): ReflectionService {
  const files = new Map<string, DescFile>();
  services.forEach((service) => collectFiles(service.file, files));
  const fileDescriptorProtos = [...files.values()].map((file) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)),
  );
  const health = loadSync(healthProtoPath);
  const packageDefinition = {
    ...health,
    'tessera.contracts': { fileDescriptorProtos },
  } as unknown as PackageDefinition;
  return new ReflectionService(packageDefinition);
}
