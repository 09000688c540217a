import { fromBinary, toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  type DescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  file.dependencies.forEach((dependency) => collectFiles(dependency, into));
}

/**
 * protobufjs (behind @grpc/proto-loader) names map entries after the field ("Statuses") where
 * protobuf requires "<Field>Entry"; strict clients such as grpcurl then reject the whole file.
 */
function fixMapEntryNames(message: DescriptorProto, scope: string): void {
  const fullName = `${scope}.${message.name}`;
  for (const nested of message.nestedType) {
    if (nested.options?.mapEntry && !nested.name.endsWith('Entry')) {
      const field = message.field.find(
        (f) => f.typeName === nested.name || f.typeName.endsWith(`.${nested.name}`),
      );
      nested.name = `${nested.name}Entry`;
      if (field) field.typeName = `${fullName}.${nested.name}`;
    }
    fixMapEntryNames(nested, fullName);
  }
}

function healthFileDescriptors(): Buffer[] {
  const definition = loadSync(healthProtoPath);
  const files = Object.values(definition).flatMap((entry) =>
    'fileDescriptorProtos' in entry ? (entry.fileDescriptorProtos as Buffer[]) : [],
  );
  return [...new Set(files)].map((bytes) => {
    const file: FileDescriptorProto = fromBinary(FileDescriptorProtoSchema, bytes);
    file.messageType.forEach((message) => fixMapEntryNames(message, `.${file.package}`));
    return Buffer.from(toBinary(FileDescriptorProtoSchema, file));
  });
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
  const packageDefinition = {
    'tessera.contracts': { fileDescriptorProtos },
    'grpc.health.v1': { fileDescriptorProtos: healthFileDescriptors() },
  } as unknown as PackageDefinition;
  // Imported files may define services this server does not serve: list only the served ones.
  const served = [...services.map((service) => service.typeName), 'grpc.health.v1.Health'];
  return new ReflectionService(packageDefinition, { services: served });
}
