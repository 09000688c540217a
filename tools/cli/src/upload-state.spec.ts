import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  forgetUploadState,
  readUploadState,
  stateDirectory,
  stateFileOf,
  staleReason,
  writeUploadState,
} from './upload-state';

describe('the upload state file', () => {
  it('lives under TESSERA_STATE_DIR, XDG_STATE_HOME or ~/.local/state', () => {
    expect(stateDirectory({ TESSERA_STATE_DIR: '/s' })).toBe('/s');
    expect(stateDirectory({ XDG_STATE_HOME: '/x' })).toBe('/x/tessera');
    expect(stateDirectory({})).toMatch(/\.local\/state\/tessera$/);
  });

  it('is one file per file, gateway, drive and name', () => {
    const key = { path: 'a.iso', address: 'h:1', driveId: 'd', name: 'a.iso' };
    expect(stateFileOf(key, '/s')).toBe(stateFileOf({ ...key }, '/s'));
    expect(stateFileOf(key, '/s')).not.toBe(stateFileOf({ ...key, driveId: 'e' }, '/s'));
  });

  it('round-trips, is forgotten, and goes stale when the file or the chunk size changes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tessera-state-'));
    const path = join(directory, 'data.bin');
    await writeFile(path, 'hello');
    const { size, mtimeMs } = await import('node:fs/promises').then((fs) => fs.stat(path));
    const state = {
      path,
      size,
      modifiedMs: mtimeMs,
      address: 'h:1',
      driveId: 'd',
      name: 'data.bin',
      chunkBytes: 4,
      uploadId: 'u',
      nodeId: 'n',
      startedAt: new Date().toISOString(),
    };
    const file = stateFileOf(state, directory);
    writeUploadState(file, state);
    expect(await readUploadState(file)).toEqual(state);
    expect(await staleReason(state, 4)).toBeUndefined();
    expect(await staleReason(state, 8)).toBe('it used 4-byte chunks');
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    expect(await staleReason(state, 4)).toBe('the file changed since');
    await forgetUploadState(file);
    expect(await readUploadState(file)).toBeUndefined();
  });
});
