import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  repository?: { directory?: string };
  files?: string[];
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Manifest;

const workspacePackages = ['libs', 'tools'].flatMap((parent) =>
  readdirSync(join(ROOT, parent))
    .map((name) => `${parent}/${name}`)
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson(`${dir}/package.json`) })),
);
const publishable = workspacePackages.filter(({ manifest }) => manifest.private !== true);
const root = readJson('package.json');
const rootVersions = { ...root.dependencies, ...root.devDependencies };

/** Packages a source file imports: `@scope/name` or `name`, without node: built-ins or relative paths. */
function importedPackages(dir: string): Set<string> {
  const found = new Set<string>();
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(entry.name)) {
        const source = readFileSync(full, 'utf8');
        for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
          if (specifier!.startsWith('node:')) continue;
          const parts = specifier!.split('/');
          found.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
        }
      }
    }
  };
  visit(join(ROOT, dir, 'src'));
  return found;
}

describe('the published packages (make packages)', () => {
  it('are the SDK, the CLI and the libs they use, and nothing that starts services or tests', () => {
    expect(publishable.map(({ manifest }) => manifest.name).sort()).toEqual([
      '@tessera/cli',
      '@tessera/client',
      '@tessera/contracts',
      '@tessera/events',
      '@tessera/grpc-client',
      '@tessera/jaeger',
    ]);
  });

  it.each(publishable.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))(
    '%s has what npm and its users need',
    (_name, dir, manifest) => {
      expect(manifest.version).toBe(readJson('tools/cli/package.json').version);
      expect(manifest.license).toBe('Apache-2.0');
      expect(manifest.engines?.node).toBe('>=24');
      expect(manifest.repository?.directory).toBe(dir);
      expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
      expect(manifest.types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      for (const bin of Object.values(manifest.bin ?? {}))
        expect(manifest.files).toContain(bin.split('/')[1]);
      expect(existsSync(join(ROOT, dir, 'README.md'))).toBe(true);
    },
  );

  it.each(publishable.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))(
    '%s declares every package it imports: its own at the same version, others as the root pins them',
    (_name, dir, manifest) => {
      const dependencies = manifest.dependencies ?? {};
      expect(Object.keys(dependencies).sort()).toEqual([...importedPackages(dir)].sort());
      for (const [dependency, spec] of Object.entries(dependencies)) {
        if (dependency.startsWith('@tessera/')) {
          const target = publishable.find(({ manifest: other }) => other.name === dependency);
          expect({ dependency, published: target !== undefined }).toEqual({ dependency, published: true });
          expect(spec).toBe(manifest.version);
        } else {
          // Upgraded in the root package.json, a dependency must be upgraded here too.
          expect({ dependency, spec }).toEqual({ dependency, spec: rootVersions[dependency] });
        }
      }
    },
  );

  it('leave out the test helpers, also through the libs they use', () => {
    const reachable = new Set<string>(['@tessera/cli', '@tessera/client']);
    for (const name of reachable) {
      const found = workspacePackages.find(({ manifest }) => manifest.name === name);
      for (const dependency of Object.keys(found?.manifest.dependencies ?? {}))
        if (dependency.startsWith('@tessera/')) reachable.add(dependency);
    }
    expect([...reachable]).not.toContain('@tessera/testing');
  });

  it('ship the repository’s LICENSE (scripts/ci/pack-packages.sh adds it to each)', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
      /^\s*Apache License\s+Version 2\.0, January 2004/,
    );
  });
});
