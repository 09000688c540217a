import type { ApicurioRegistry, RegisteredVersion } from './apicurio-registry';
import type { ProtoFile } from './proto-files';

/**
 * Registers every contract file, imports first, each with references to the versions of the files
 * it imports. The artifact id is the file's import path. Running it again with unchanged files
 * changes nothing.
 */
export async function registerContracts(
  registry: ApicurioRegistry,
  groupId: string,
  files: readonly ProtoFile[],
): Promise<RegisteredVersion[]> {
  await registry.ensureGroup(groupId, 'BACKWARD');
  const registered = new Map<string, RegisteredVersion>();
  for (const file of files) {
    const references = file.imports.map((path) => {
      const dependency = registered.get(path);
      if (!dependency) throw new Error(`${file.path}: ${path} must be registered first`);
      return { groupId, artifactId: path, version: dependency.version, name: path };
    });
    registered.set(file.path, await registry.registerProtobuf(groupId, file.path, file.content, references));
  }
  return [...registered.values()];
}
