import { join } from 'node:path';
import { dependencyOrder, readProtoFiles, type ProtoFile } from './proto-files';

const file = (path: string, imports: string[] = []): ProtoFile => ({ path, content: '', imports });

describe('proto files', () => {
  it('reads the project contracts with their project imports, imported files first', () => {
    const files = readProtoFiles(join(__dirname, '../../../proto'));
    const paths = files.map((f) => f.path);
    expect(paths).toContain('tessera/events/v1/lifecycle_events.proto');
    for (const [index, f] of files.entries()) {
      expect(f.imports.every((imported) => paths.indexOf(imported) < index)).toBe(true);
      expect(f.imports.some((imported) => imported.startsWith('google/'))).toBe(false);
    }
    expect(
      files.find((f) => f.path === 'tessera/internal/v1/repository_service.proto')?.imports.sort(),
    ).toEqual([
      'tessera/metadata/v1/node.proto',
      'tessera/upload/v1/upload.proto',
      'tessera/upload/v1/upload_service.proto',
    ]);
  });

  it('refuses an import cycle and an import of an unknown file', () => {
    expect(() => dependencyOrder([file('a.proto', ['b.proto']), file('b.proto', ['a.proto'])])).toThrow(
      'import cycle',
    );
    expect(() => dependencyOrder([file('a.proto', ['missing.proto'])])).toThrow('not among the contracts');
  });
});
