import { DirectTransferUnavailableError } from './client-errors';
import { sendChunksDirect } from './direct-chunk-sender';
import { sendFileChunks, type FileChunksJob } from './file-chunk-sender';

/**
 * How a file's chunks travel: `streamed` through the intake gateway (UploadChunks), `direct` from
 * the client straight to S3 through presigned URLs (PresignChunks), `auto` direct unless the server
 * hands out no URLs or S3 cannot be reached from here, then streamed.
 */
export type Transfer = 'auto' | 'direct' | 'streamed';

/** Sends the job's chunks as `transfer` says; the way they went. */
export async function sendChunksBy(transfer: Transfer, job: FileChunksJob): Promise<'direct' | 'streamed'> {
  if (transfer !== 'streamed') {
    try {
      await sendChunksDirect(job);
      return 'direct';
    } catch (error) {
      if (transfer === 'direct' || !(error instanceof DirectTransferUnavailableError)) throw error;
    }
  }
  await sendFileChunks(job);
  return 'streamed';
}
