import type { MultipartTarget, ObjectStore } from '@tessera/object-storage';
import type { UploadRecord, UploadStore } from '../ports/upload-store.port';

/**
 * Each upload's one S3 multipart upload, for the chunks stored as parts (streamed or written by the
 * client), created by the first such chunk. Callers racing here wait for one creation instead of
 * each creating (and all but one aborting) their own; TiDB decides between instances.
 */
export class MultipartUploads {
  /** Multipart uploads being created, by upload id. */
  private readonly creations = new Map<string, Promise<string>>();

  constructor(
    private readonly store: Pick<UploadStore, 'recordMultipartUploadId'>,
    private readonly objects: ObjectStore,
  ) {}

  async of(upload: UploadRecord): Promise<MultipartTarget> {
    if (upload.multipartUploadId) return { key: upload.objectKey, uploadId: upload.multipartUploadId };
    let creating = this.creations.get(upload.uploadId);
    if (!creating) {
      creating = this.create(upload).finally(() => this.creations.delete(upload.uploadId));
      this.creations.set(upload.uploadId, creating);
    }
    return { key: upload.objectKey, uploadId: await creating };
  }

  private async create(upload: UploadRecord): Promise<string> {
    const created = await this.objects.createMultipartUpload(upload.objectKey, upload.mimeType || undefined);
    const winner = await this.store.recordMultipartUploadId(upload.uploadId, created.uploadId);
    if (winner !== created.uploadId) await this.objects.abortMultipartUpload(created);
    return winner;
  }
}
