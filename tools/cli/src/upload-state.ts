import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * What `tessera upload` remembers about an upload in progress, so that running the same command
 * again after Ctrl-C or a crash resumes it: one small JSON file per (file, gateway, drive, name).
 */
export interface UploadState {
  path: string;
  size: number;
  modifiedMs: number;
  address: string;
  driveId: string;
  name: string;
  chunkBytes: number;
  uploadId: string;
  nodeId: string;
  startedAt: string;
}

export type UploadKey = Pick<UploadState, 'path' | 'address' | 'driveId' | 'name'>;

/** TESSERA_STATE_DIR, else $XDG_STATE_HOME/tessera, else ~/.local/state/tessera. */
export function stateDirectory(env: Record<string, string | undefined>): string {
  if (env['TESSERA_STATE_DIR']) return env['TESSERA_STATE_DIR'];
  return join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local/state'), 'tessera');
}

export function stateFileOf(key: UploadKey, directory: string): string {
  const identity = JSON.stringify([resolve(key.path), key.address, key.driveId, key.name]);
  return join(
    directory,
    'uploads',
    `${createHash('sha256').update(identity).digest('hex').slice(0, 32)}.json`,
  );
}

export async function readUploadState(file: string): Promise<UploadState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UploadState;
  } catch {
    return undefined; // none, or unreadable: start afresh
  }
}

/**
 * Synchronous, so the state exists before the first chunk leaves; written beside its folder and
 * renamed into place, so a reader (or the next run after a crash) never finds it half written.
 */
export function writeUploadState(file: string, state: UploadState): void {
  const folder = dirname(file);
  mkdirSync(folder, { recursive: true });
  const written = join(dirname(folder), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(written, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(written, file);
}

export async function forgetUploadState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Why a remembered upload cannot be resumed with this file and chunk size, or undefined if it can. */
export async function staleReason(state: UploadState, chunkBytes: number): Promise<string | undefined> {
  const now = await stat(state.path);
  if (now.size !== state.size || now.mtimeMs !== state.modifiedMs) return 'the file changed since';
  if (chunkBytes !== state.chunkBytes) return `it used ${state.chunkBytes}-byte chunks`;
  return undefined;
}
