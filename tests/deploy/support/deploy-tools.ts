import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './manifests';

export const repoRoot = join(__dirname, '../../..');

/** Where scripts/deploy/install-tools.sh links the pinned Helm, kustomize, kubeconform and schemas. */
const toolsDir = join(process.env['TESSERA_CACHE_DIR'] ?? join(homedir(), '.cache/tessera'), 'deploy-tools');

function tool(name: 'helm' | 'kustomize' | 'kubeconform' | 'kubernetes-json-schema'): string {
  const path = join(toolsDir, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run scripts/deploy/install-tools.sh (make test does)`);
  }
  return path;
}

/** Runs a tool; a failure throws with the tool's own output, which names what is wrong. */
function run(file: string, args: string[], input?: string): string {
  try {
    return execFileSync(file, args, { cwd: repoRoot, input, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

export const chartDir = 'charts/tessera';

const valuesArgs = (valuesFiles: string[], sets: string[]) => [
  ...valuesFiles.flatMap((file) => ['-f', file]),
  ...sets.flatMap((set) => ['--set', set]),
];

export function helmLint(valuesFiles: string[], sets: string[] = []): string {
  return run(tool('helm'), ['lint', '--strict', chartDir, ...valuesArgs(valuesFiles, sets)]);
}

export function helmTemplateText(valuesFiles: string[], sets: string[] = []): string {
  return run(tool('helm'), ['template', 'tessera', chartDir, ...valuesArgs(valuesFiles, sets)]);
}

export function helmTemplate(valuesFiles: string[], sets: string[] = []): Manifest[] {
  return parseManifests(helmTemplateText(valuesFiles, sets));
}

export function kustomizeBuildText(overlay: string): string {
  return run(tool('kustomize'), [
    'build',
    '--enable-helm',
    '--helm-command',
    tool('helm'),
    // The base renders charts/tessera, which lies outside k8s/.
    '--load-restrictor',
    'LoadRestrictionsNone',
    overlay,
  ]);
}

export function kustomizeBuild(overlay: string): Manifest[] {
  return parseManifests(kustomizeBuildText(overlay));
}

/**
 * kubeconform in strict mode (unknown fields are errors) against the cached schemas of the
 * Kubernetes version pinned in scripts/stack/versions.env; throws on any error.
 */
export function kubeconform(manifestsText: string): string {
  return run(
    tool('kubeconform'),
    [
      '-strict',
      '-summary',
      '-schema-location',
      `${tool('kubernetes-json-schema')}/{{.ResourceKind}}{{.KindSuffix}}.json`,
      '-',
    ],
    manifestsText,
  );
}
