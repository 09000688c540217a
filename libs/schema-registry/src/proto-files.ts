import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A .proto file as the registry sees it: its import path, text, and the project files it imports. */
export interface ProtoFile {
  /** Import path, e.g. "tessera/events/v1/lifecycle_events.proto". */
  path: string;
  content: string;
  /** Imports of other project files (well-known google/protobuf types are left out). */
  imports: string[];
}

const IMPORT = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

function listProtoPaths(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return listProtoPaths(path);
    return entry.name.endsWith('.proto') ? [path] : [];
  });
}

/** Orders files so that every file comes after the files it imports. */
export function dependencyOrder(files: readonly ProtoFile[]): ProtoFile[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const ordered: ProtoFile[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: ProtoFile, chain: string[]): void => {
    if (state.get(file.path) === 'done') return;
    if (state.get(file.path) === 'visiting')
      throw new Error(`import cycle: ${[...chain, file.path].join(' -> ')}`);
    state.set(file.path, 'visiting');
    for (const imported of file.imports) {
      const dependency = byPath.get(imported);
      if (!dependency) throw new Error(`${file.path} imports ${imported}, which is not among the contracts`);
      visit(dependency, [...chain, file.path]);
    }
    state.set(file.path, 'done');
    ordered.push(file);
  };
  [...files].sort((a, b) => a.path.localeCompare(b.path)).forEach((file) => visit(file, []));
  return ordered;
}

/** Reads every .proto under a buf module root, in dependency order. */
export function readProtoFiles(moduleRoot: string): ProtoFile[] {
  const files = listProtoPaths(moduleRoot).map((absolute) => {
    const content = readFileSync(absolute, 'utf8');
    const imports = [...content.matchAll(IMPORT)]
      .map((match) => match[1]!)
      .filter((path) => !path.startsWith('google/'));
    return { path: relative(moduleRoot, absolute).split(sep).join('/'), content, imports };
  });
  return dependencyOrder(files);
}
