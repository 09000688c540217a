import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
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

/**
 * templates/NOTES.txt as Helm renders it after installing `release` into `namespace`. helm template does not
 * print the notes (and helm install --dry-run needs a cluster), so a copy of the chart gets one more
 * template, a ConfigMap holding NOTES.txt rendered by tpl: the same text, values and helpers.
 */
export function helmNotes(options: {
  valuesFiles?: string[];
  sets?: string[];
  release?: string;
  namespace?: string;
}): string {
  const { valuesFiles = [], sets = [], release = 'tessera', namespace = 'default' } = options;
  const copy = mkdtempSync(join(tmpdir(), 'tessera-notes-'));
  try {
    const chart = join(copy, 'tessera');
    cpSync(join(repoRoot, chartDir), chart, { recursive: true });
    cpSync(join(chart, 'templates/NOTES.txt'), join(chart, 'notes-under-test.txt'));
    writeFileSync(
      join(chart, 'templates/notes-under-test.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: notes-under-test }',
        'data:',
        '  NOTES.txt: {{ tpl (.Files.Get "notes-under-test.txt") . | toJson }}',
      ].join('\n'),
    );
    const text = run(tool('helm'), [
      'template',
      release,
      chart,
      '--namespace',
      namespace,
      '--show-only',
      'templates/notes-under-test.yaml',
      ...valuesArgs(valuesFiles, sets),
    ]);
    const [configMap] = parseManifests(text);
    return (configMap?.['data'] as Record<string, string>)['NOTES.txt'] ?? '';
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
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
