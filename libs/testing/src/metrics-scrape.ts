/**
 * The value of one sample on a service's Prometheus `/metrics`: the first line of `name` whose labels
 * include every one of `labels` (e.g. `dependency="redis"`); 0 when there is none.
 */
export async function metricValue(httpUrl: string, name: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (row) =>
        (row.startsWith(`${name}{`) || row.startsWith(`${name} `)) &&
        labels.every((label) => row.includes(label)),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The sum of every series of a metric (all label values), from the service's /metrics. */
export async function metricSum(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `))
    .reduce((sum, row) => sum + Number(row.split(' ').pop()), 0);
}
