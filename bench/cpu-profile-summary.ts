/**
 * Where a V8 CPU profile (node --cpu-prof) spent its time: self time per function and per package,
 * the largest first. Usage: npx tsx bench/cpu-profile-summary.ts <file.cpuprofile>... [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (or workspace project, or node: internals) a script URL belongs to. */
export function ownerOf(url: string): string {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node:internals';
  const inModules = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (inModules) return inModules[1]!;
  const project = url.match(/\/(libs|services|tools)\/([^/]+)\//);
  return project ? `${project[1]}/${project[2]}` : url;
}

function summarise(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byOwner.set(ownerOf(url), (byOwner.get(ownerOf(url)) ?? 0) + micros);
    total += micros;
  });
  const lines = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, micros]) =>
          `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1e6).toFixed(2).padStart(7)} s  ${name}`,
      );
  console.log(`${path}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log(' by package:');
  lines(byOwner).forEach((line) => console.log(line));
  console.log(' by function (self time):');
  lines(byFunction).forEach((line) => console.log(line));
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
for (const path of positionals) summarise(path, Number(values.top));
