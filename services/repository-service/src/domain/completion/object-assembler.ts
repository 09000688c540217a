import { Readable } from 'node:stream';
import type { MultipartTarget, ObjectStore, StoredObject, UploadedPart } from '@tessera/object-storage';
import {
  isServerSideCopy,
  stagedLocationOf,
  type AssemblyPlan,
  type ByteRange,
  type RecomposedPart,
} from './assembly-plan';
import { stagingFolderOf, stagingKeyOf } from '../chunks/staged-objects';
import type { StoredChunkRecord, UploadRecord } from '../ports/upload-store.port';

/** The object a completed upload produced. */
export interface AssembledObject {
  key: string;
  etag: string;
  versionId: string | undefined;
  size: number;
  /** Part sizes in order, so readers can align ranged reads to parts. */
  partSizes: number[];
}

export interface ObjectAssemblerOptions {
  stagingPrefix: string;
  /** Parts built at once in the recompose path. */
  concurrency: number;
}

/** Runs tasks with at most `limit` of them in flight; results in task order. */
async function boundedAll<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Executes an AssemblyPlan (docs/upload.md) against the object store. */
export class ObjectAssembler {
  constructor(
    private readonly objects: ObjectStore,
    private readonly options: ObjectAssemblerOptions,
  ) {}

  async assemble(
    upload: UploadRecord,
    chunks: StoredChunkRecord[],
    plan: AssemblyPlan,
  ): Promise<AssembledObject> {
    const assembled = await this.run(upload, chunks, plan);
    if (chunks.some((chunk) => chunk.storage === 'staged')) {
      await this.objects.deletePrefix(stagingFolderOf(this.options.stagingPrefix, upload.uploadId));
    }
    return assembled;
  }

  /**
   * Removes what assembling would have consumed: the open multipart upload and staged chunks. For
   * a completion found already assembled by an instance that died before cleaning up. Best effort.
   */
  async discardLeftovers(upload: UploadRecord): Promise<void> {
    if (upload.multipartUploadId) {
      await this.objects
        .abortMultipartUpload({ key: upload.objectKey, uploadId: upload.multipartUploadId })
        .catch(() => undefined);
    }
    await this.objects
      .deletePrefix(stagingFolderOf(this.options.stagingPrefix, upload.uploadId))
      .catch(() => undefined);
  }

  private async run(
    upload: UploadRecord,
    chunks: StoredChunkRecord[],
    plan: AssemblyPlan,
  ): Promise<AssembledObject> {
    const key = upload.objectKey;
    switch (plan.kind) {
      case 'empty': {
        if (upload.multipartUploadId)
          await this.objects.abortMultipartUpload({ key, uploadId: upload.multipartUploadId });
        const stored = await this.objects.putObject(key, new Uint8Array(), 0, upload.mimeType || undefined);
        return { key, ...stored, size: 0, partSizes: [] };
      }
      case 'direct':
        return this.completeDirect(upload, chunks, plan);
      case 'recompose':
        return this.recompose(upload, chunks, plan);
    }
  }

  private async completeDirect(
    upload: UploadRecord,
    chunks: StoredChunkRecord[],
    plan: Extract<AssemblyPlan, { kind: 'direct' }>,
  ): Promise<AssembledObject> {
    const target = await this.multipartTarget(upload);
    const parts: UploadedPart[] = chunks
      .filter((chunk) => chunk.storage === 'direct-part')
      .map((chunk) => ({ partNumber: chunk.partNumber!, etag: chunk.etag }));
    if (plan.stagedLast) {
      const last = chunks[plan.stagedLast.chunkNumber]!;
      parts.push(
        await this.objects.uploadPartCopy(target, plan.stagedLast.partNumber, {
          key: this.stagingKey(upload, stagedLocationOf(last).object),
          etag: last.etag,
          offset: stagedLocationOf(last).offset,
          length: last.size,
        }),
      );
    }
    const stored = await this.objects.completeMultipartUpload(target, parts);
    const partSizes = chunks.map((chunk) => chunk.size);
    return { key: upload.objectKey, ...stored, size: sum(partSizes), partSizes };
  }

  private async recompose(
    upload: UploadRecord,
    chunks: StoredChunkRecord[],
    plan: Extract<AssemblyPlan, { kind: 'recompose' }>,
  ): Promise<AssembledObject> {
    const key = upload.objectKey;
    let intermediate: StoredObject | undefined;
    if (plan.intermediateParts.length > 0) {
      const direct = chunks.filter((chunk) => chunk.storage === 'direct-part');
      const parts = direct.map((chunk) => ({ partNumber: chunk.partNumber!, etag: chunk.etag }));
      intermediate = await this.objects.completeMultipartUpload(await this.multipartTarget(upload), parts);
    } else if (upload.multipartUploadId) {
      await this.objects.abortMultipartUpload({ key, uploadId: upload.multipartUploadId });
    }
    const target = await this.objects.createMultipartUpload(key, upload.mimeType || undefined);
    const stagedEtags = new Map(
      chunks
        .filter((chunk) => chunk.storage === 'staged')
        .map((chunk) => [stagedLocationOf(chunk).object, chunk.etag]),
    );
    try {
      const parts = await boundedAll(
        plan.parts.map((part) => () => this.buildPart(upload, target, part, intermediate, stagedEtags)),
        this.options.concurrency,
      );
      const stored = await this.objects.completeMultipartUpload(target, parts);
      const partSizes = plan.parts.map((part) => part.size);
      return { key, ...stored, size: sum(partSizes), partSizes };
    } catch (error) {
      await this.objects.abortMultipartUpload(target).catch(() => undefined);
      throw error;
    } finally {
      // In a versioned bucket the intermediate object stays behind as a version of its own.
      // Best effort: a leftover is a non-current version, never what a reader gets.
      if (intermediate?.versionId) {
        await this.objects.deleteObjects([{ key, versionId: intermediate.versionId }]).catch(() => undefined);
      }
    }
  }

  private async buildPart(
    upload: UploadRecord,
    target: MultipartTarget,
    part: RecomposedPart,
    intermediate: StoredObject | undefined,
    stagedEtags: Map<string, string>,
  ): Promise<UploadedPart> {
    if (isServerSideCopy(part)) {
      const [range] = part.ranges;
      const source =
        range.source === 'intermediate'
          ? { key: upload.objectKey, etag: intermediate!.etag, versionId: intermediate!.versionId }
          : { key: this.stagingKey(upload, range.object), etag: stagedEtags.get(range.object)! };
      return this.objects.uploadPartCopy(target, part.partNumber, {
        ...source,
        offset: range.offset,
        length: range.length,
      });
    }
    const body = Readable.from(this.concatenate(upload, part.ranges, intermediate?.versionId));
    return this.objects.uploadPart(target, part.partNumber, body, part.size);
  }

  /** The bytes of the ranges, in order, one ranged read at a time. */
  private async *concatenate(
    upload: UploadRecord,
    ranges: ByteRange[],
    intermediateVersionId: string | undefined,
  ): AsyncIterable<Uint8Array> {
    for (const range of ranges) {
      const fromIntermediate = range.source === 'intermediate';
      const key = fromIntermediate ? upload.objectKey : this.stagingKey(upload, range.object);
      const versionId = fromIntermediate ? intermediateVersionId : undefined;
      yield* (await this.objects.readRange(
        key,
        range.offset,
        range.length,
        versionId,
      )) as AsyncIterable<Uint8Array>;
    }
  }

  private async multipartTarget(upload: UploadRecord): Promise<MultipartTarget> {
    if (upload.multipartUploadId) return { key: upload.objectKey, uploadId: upload.multipartUploadId };
    return this.objects.createMultipartUpload(upload.objectKey, upload.mimeType || undefined);
  }

  private stagingKey(upload: UploadRecord, object: string): string {
    return stagingKeyOf(this.options.stagingPrefix, upload.uploadId, object);
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
