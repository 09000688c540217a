/**
 * A lint of a Prometheus text exposition against the Prometheus naming rules (what
 * `promtool check metrics` checks, plus the unit rules of the Prometheus naming guide):
 * snake_case names and labels, `_total` on counters and only there, `_count`/`_sum`/`_bucket` only on
 * histogram and summary series, base units only (seconds, bytes), the unit as the name's last word
 * (before `_total`), HELP and TYPE for every family. Returns one line per problem.
 */
export function lintPrometheusExposition(text: string): string[] {
  const families = parseFamilies(text);
  const problems: string[] = [];
  for (const [name, family] of families) {
    problems.push(...familyProblems(name, family).map((problem) => `${name}: ${problem}`));
  }
  return problems;
}

interface Family {
  type?: string | undefined;
  help: boolean;
  samples: string[];
  labels: Set<string>;
}

const NAME = /^[a-z_:][a-z0-9_:]*$/;
const HISTOGRAM_SERIES = /_(bucket|sum|count|created)$/;
const NON_BASE_UNITS =
  /(^|_)(milliseconds|millis|ms|microseconds|us|nanoseconds|ns|minutes|hours|days|kilobytes|megabytes|gigabytes|kib|mib|gib|kb|mb|percent|bits)(_|$)/;

function parseFamilies(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { help: false, samples: [], labels: new Set() }));
    return found;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+)(?: (\S+))?/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = true;
      else family(meta[2]!).type = meta[3];
      continue;
    }
    const sample = /^([^\s{#]+)(?:\{([^}]*)\})? /.exec(line);
    if (!sample) continue;
    const name = sample[1]!;
    const base = [...families.keys()].find(
      (candidate) =>
        candidate === name ||
        (HISTOGRAM_SERIES.test(name) && name.replace(HISTOGRAM_SERIES, '') === candidate),
    );
    const owner = family(base ?? name);
    owner.samples.push(name);
    for (const label of (sample[2] ?? '').matchAll(/([^=,\s]+)="/g)) owner.labels.add(label[1]!);
  }
  return families;
}

function familyProblems(name: string, family: Family): string[] {
  const problems: string[] = [];
  const words = name.replace(/_total$/, '');
  if (!NAME.test(name)) problems.push('not snake_case');
  if (!family.help) problems.push('no HELP');
  if (!family.type) problems.push('no TYPE');
  if (family.type === 'counter' && !name.endsWith('_total')) problems.push('a counter without _total');
  if (family.type !== 'counter' && name.endsWith('_total')) problems.push(`_total on a ${family.type}`);
  if (/_(count|sum|bucket)$/.test(words))
    problems.push('_count, _sum or _bucket belongs to histogram series only');
  const histogram = family.type === 'histogram' || family.type === 'summary';
  for (const sample of family.samples) {
    if (sample !== name && !(histogram && HISTOGRAM_SERIES.test(sample)))
      problems.push(`stray series ${sample}`);
  }
  if (NON_BASE_UNITS.test(words)) problems.push('a unit other than the base units seconds and bytes');
  if (/(^|_)(duration|latency|lag)(_|$)/.test(words) && !words.endsWith('_seconds')) {
    problems.push('a duration whose name does not end in _seconds');
  }
  if (/(^|_)bytes(_|$)/.test(words) && !words.endsWith('_bytes')) problems.push('bytes is not the last word');
  for (const label of family.labels) {
    if (!NAME.test(label) || label.startsWith('__')) problems.push(`label ${label} is not snake_case`);
  }
  return problems;
}
