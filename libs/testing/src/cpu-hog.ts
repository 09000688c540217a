import { spawn, type ChildProcess } from 'node:child_process';

/** A CPU hog (Debian's stress-ng, installed by scripts/stack/install.sh) running until stopped. */
export interface CpuHog {
  stop(): Promise<void>;
}

/**
 * Loads `workers` cores to `loadPercent` each with stress-ng, for at most `maxSeconds` (it stops by
 * itself then, should the test die). For tests that must hold while the machine is saturated.
 */
export function startCpuHog({
  workers = 2,
  loadPercent = 100,
  maxSeconds = 600,
}: { workers?: number; loadPercent?: number; maxSeconds?: number } = {}): CpuHog {
  const hog: ChildProcess = spawn(
    'stress-ng',
    ['--cpu', String(workers), '--cpu-load', String(loadPercent), '--timeout', `${maxSeconds}s`, '--quiet'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => {
    hog.once('exit', () => resolve());
    hog.once('error', () => resolve());
  });
  return {
    stop: async () => {
      if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGTERM');
      await exited;
    },
  };
}
