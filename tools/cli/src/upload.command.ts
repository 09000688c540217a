import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ResumeError, TesseraClient, type UploadResult } from '@tessera/client';
import { positive, print, rate, transferOf, UsageError, type ClientDefaults } from './cli-args';
import { progressLine } from './progress-line';
import {
  forgetUploadState,
  readUploadState,
  staleReason,
  stateFileOf,
  writeUploadState,
  type UploadState,
} from './upload-state';

const MiB = 1024 * 1024;

const uploadOptions = {
  address: { type: 'string' },
  name: { type: 'string' },
  drive: { type: 'string', default: 'default' },
  'chunk-mib': { type: 'string', default: '8' },
  streams: { type: 'string', default: '4' },
  transfer: { type: 'string' },
  direct: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

/**
 * `tessera upload <path>`: uploads a file over parallel chunk streams and prints the node it became.
 * An upload cut short (Ctrl-C, a crash) is remembered in a state file; the same command resumes it.
 */
export function runUpload(args: string[], defaults: ClientDefaults): Promise<void> {
  return upload(args, defaults, { mustResume: false });
}

/** `tessera resume <path>`: like upload, but only continues a remembered upload. */
export function runResume(args: string[], defaults: ClientDefaults): Promise<void> {
  return upload(args, defaults, { mustResume: true });
}

async function upload(args: string[], defaults: ClientDefaults, { mustResume }: { mustResume: boolean }) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: uploadOptions });
  if (positionals.length !== 1)
    throw new UsageError(`${mustResume ? 'resume' : 'upload'} takes one file path`);
  const path = positionals[0]!;
  const file = await stat(path).catch(() => undefined);
  if (!file?.isFile()) throw new UsageError(`no file at ${path}`);
  const key = {
    path,
    address: values.address ?? defaults.address,
    driveId: values.drive,
    name: values.name ?? basename(path),
  };
  const chunkBytes = Math.round(positive('chunk-mib', values['chunk-mib'])! * MiB);
  const stateFile = stateFileOf(key, defaults.stateDirectory);
  const resumable = await resumableUpload(stateFile, chunkBytes);
  if (mustResume && !resumable)
    throw new UsageError(`nothing to resume for ${path}: run tessera upload ${path}`);
  if (resumable)
    console.error(`resuming upload ${resumable.uploadId} of ${path}, started ${resumable.startedAt}`);
  const client = new TesseraClient(key.address);
  const progress = progressLine(`uploading ${basename(path)}`, file.size);
  let uploadId = resumable?.uploadId;
  const interrupted = () => {
    progress.finish();
    console.error(
      `\ninterrupted${uploadId ? `: run the same command again to resume upload ${uploadId}` : ''}`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    const options = {
      name: key.name,
      driveId: key.driveId,
      chunkBytes,
      streams: positive('streams', values.streams)!,
      transfer: transferOf(values.transfer, values.direct),
      onUploadStarted: (started: { uploadId: string; nodeId: string }) => {
        uploadId = started.uploadId;
        writeUploadState(stateFile, {
          ...key,
          size: file.size,
          modifiedMs: file.mtimeMs,
          chunkBytes,
          ...started,
          startedAt: resumable?.startedAt ?? new Date().toISOString(),
        });
      },
      onProgress: (bytes: number) => progress.update(bytes),
      onRetry: (refused: { message: string }[], waitMs: number) =>
        console.error(
          `${refused.length} chunk(s) not stored yet (${refused[0]!.message}); sending them again in ${(waitMs / 1000).toFixed(1)} s`,
        ),
    };
    const result = await uploadOrResume(client, path, options, resumable);
    await forgetUploadState(stateFile);
    progress.finish();
    printUploaded(path, result, values.json);
  } finally {
    process.removeListener('SIGINT', interrupted);
    progress.finish();
    client.close();
  }
}

/** The remembered upload of this file, if it can still be resumed; says why not otherwise. */
async function resumableUpload(stateFile: string, chunkBytes: number): Promise<UploadState | undefined> {
  const state = await readUploadState(stateFile);
  if (!state) return undefined;
  const stale = await staleReason(state, chunkBytes);
  if (!stale) return state;
  console.error(`not resuming upload ${state.uploadId} of ${state.path}: ${stale}; starting a new upload`);
  await forgetUploadState(stateFile);
  return undefined;
}

async function uploadOrResume(
  client: TesseraClient,
  path: string,
  options: Parameters<TesseraClient['upload']>[1],
  resumable: UploadState | undefined,
): Promise<UploadResult> {
  if (!resumable) return client.upload(path, options);
  try {
    const result = await client.upload(path, { ...options, resumeUploadId: resumable.uploadId });
    return result;
  } catch (error) {
    if (!(error instanceof ResumeError) && (error as { code?: number }).code !== 5) throw error;
    console.error(
      `cannot resume upload ${resumable.uploadId}: ${(error as Error).message}; starting a new upload`,
    );
    return client.upload(path, options);
  }
}

function printUploaded(path: string, result: UploadResult, json: boolean): void {
  const { node } = result;
  if (json) {
    print(
      JSON.stringify({
        nodeId: node.nodeId,
        version: Number(node.version),
        uploadId: result.uploadId,
        bytes: result.bytes,
        sha256: result.sha256,
        chunksResumed: result.chunksResumed,
        transfer: result.transfer,
        traceId: result.traceId,
        seconds: result.seconds,
      }),
    );
    return;
  }
  if (result.chunksResumed > 0) {
    print(`resumed upload ${result.uploadId}: ${result.chunksResumed} chunk(s) were already stored`);
  }
  print(
    `uploaded ${path}: node ${node.nodeId} version ${node.version}, ${result.bytes} bytes in ${result.seconds.toFixed(2)} s (${rate(result.bytes, result.seconds)}, ${result.transfer})`,
  );
  print(`sha256 ${result.sha256}  trace ${result.traceId}`);
}
