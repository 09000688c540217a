import { readFile } from 'node:fs/promises';

/** Resident memory of a Linux process from /proc: now and its peak (high-water mark) so far. */
export interface ProcessMemory {
  rssBytes: number;
  peakRssBytes: number;
}

function kibField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field}`);
  return Number(match[1]) * 1024;
}

export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: kibField(status, 'VmRSS'), peakRssBytes: kibField(status, 'VmHWM') };
}

export const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
