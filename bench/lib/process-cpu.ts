import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's times (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** User and system CPU seconds a Linux process (all its threads) has used so far. */
export async function processCpuSeconds(pid: number): Promise<{ user: number; system: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

/** The first process whose command name starts with `prefix` (e.g. "minio", "tidb-server"). */
export async function findProcess(prefix: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.startsWith(prefix)) return Number(entry);
  }
  return undefined;
}

/** Busy and idle seconds of the whole machine (all cores) so far, from /proc/stat. */
async function machineSeconds(): Promise<{ busy: number; system: number; idle: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const kernel = system! + irq! + softirq!;
  return {
    busy: (user! + nice! + kernel + steal!) / TICKS_PER_SECOND,
    system: kernel / TICKS_PER_SECOND,
    idle: (idle! + iowait!) / TICKS_PER_SECOND,
  };
}

export interface CpuUse {
  /** CPU seconds (user + system) each named process used, and of them in the kernel. */
  processes: Record<string, { total: number; system: number }>;
  /** CPU seconds the whole machine was busy, of which in the kernel, and idle. */
  machine: { busy: number; system: number; idle: number };
}

/** Measures the CPU named processes and the machine use between start() and the returned stop(). */
export async function meterCpu(pids: Record<string, number>): Promise<() => Promise<CpuUse>> {
  const read = async () => {
    const processes: Record<string, { total: number; system: number }> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const { user, system } = await processCpuSeconds(pid);
      processes[name] = { total: user + system, system };
    }
    return { processes, machine: await machineSeconds() };
  };
  const before = await read();
  return async () => {
    const after = await read();
    const processes: Record<string, { total: number; system: number }> = {};
    for (const name of Object.keys(pids)) {
      processes[name] = {
        total: after.processes[name]!.total - before.processes[name]!.total,
        system: after.processes[name]!.system - before.processes[name]!.system,
      };
    }
    return {
      processes,
      machine: {
        busy: after.machine.busy - before.machine.busy,
        system: after.machine.system - before.machine.system,
        idle: after.machine.idle - before.machine.idle,
      },
    };
  };
}

/** One line: each process's CPU seconds (kernel), and the machine's busy, kernel and idle seconds. */
export function describeCpu(use: CpuUse): string {
  const parts = Object.entries(use.processes).map(
    ([name, { total, system }]) => `${name} ${total.toFixed(1)} (${system.toFixed(1)})`,
  );
  const { busy, system, idle } = use.machine;
  return `CPU s: ${parts.join(', ')}; machine busy ${busy.toFixed(1)} (kernel ${system.toFixed(1)}), idle ${idle.toFixed(1)}`;
}

/** What a flow on the bench stack is metered over: this process (the client), the services, MinIO, TiDB and the given peers. */
export async function pathPids(
  servicePids: Record<string, number>,
  peers: { name: string; pid: number }[] = [],
): Promise<Record<string, number>> {
  return {
    client: process.pid,
    ...servicePids,
    minio: (await findProcess('minio'))!,
    tidb: (await findProcess('tidb-server'))!,
    ...Object.fromEntries(peers.map((peer) => [peer.name, peer.pid])),
  };
}
