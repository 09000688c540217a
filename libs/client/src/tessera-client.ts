import { createHash, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Client, Metadata } from '@grpc/grpc-js';
import { downloadV1, metadataV1, uploadV1 } from '@tessera/contracts';
import { callClientStream, callUnary, createGrpcClient } from '@tessera/grpc-client';
import { chunkCountOf, chunksNotReceived } from './chunk-plan';
import { ChunkRefusedError, IntegrityError, ResumeError } from './client-errors';
import { sendChunksBy } from './chunk-transfer';
import { InOrderFileHash } from './file-hash';
import type { DownloadResult, UploadOptions, UploadResult } from './transfer-types';
import { OneCallLimit, uploadInOneCall } from './one-call-upload';
import { fixedSizeChunks } from './fixed-size-chunks';
import { readNode } from './node-download';
import type { DownloadOptions } from './ranged-download';
import { retryWhileUnavailable } from './retry-policy';
import { newTrace } from './trace-context';

const MiB = 1024 * 1024;
/** Chunks read ahead of their turn held for the whole-file SHA-256 (else the file is read again). */
const HELD_FOR_FILE_HASH_BYTES = 64 * MiB;
const uploadRpc = uploadV1.UploadService.method;
const nodeRpc = metadataV1.MetadataService.method;
const OPEN_STATES = new Set([uploadV1.UploadState.INITIATED, uploadV1.UploadState.IN_PROGRESS]);
const FINISHING_STATES = new Set([uploadV1.UploadState.COMPLETING, uploadV1.UploadState.COMPLETED]);

type Source = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Tessera's public gRPC API (the intake gateway): uploads, downloads and nodes, each call in a trace. */
export class TesseraClient {
  private readonly uploads: Client;
  private readonly downloads: Client;
  private readonly nodes: Client;
  private readonly oneCallLimit: OneCallLimit;

  constructor(address: string) {
    this.uploads = createGrpcClient(uploadV1.UploadService, address, { 'grpc.max_send_message_length': -1 });
    this.oneCallLimit = new OneCallLimit(this.uploads);
    this.downloads = createGrpcClient(downloadV1.DownloadService, address);
    this.nodes = createGrpcClient(metadataV1.MetadataService, address);
  }

  /**
   * Uploads a file (a path: chunks read at their offsets over parallel streams, resumable) or a
   * byte stream (one stream, in order), then completes it with the whole file's SHA-256.
   */
  upload(source: Source, options: UploadOptions): Promise<UploadResult> {
    return typeof source === 'string' ? this.uploadFile(source, options) : this.uploadStream(source, options);
  }

  async uploadStatus(uploadId: string): Promise<uploadV1.GetUploadStatusResponse> {
    return callUnary(
      this.uploads,
      uploadRpc.getUploadStatus,
      { uploadId },
      { metadata: newTrace().metadata },
    );
  }

  async abortUpload(uploadId: string): Promise<void> {
    await callUnary(this.uploads, uploadRpc.abortUpload, { uploadId }, { metadata: newTrace().metadata });
  }

  async getNode(nodeId: string, version?: number): Promise<metadataV1.Node> {
    const request = { nodeId, ...(version !== undefined && { version: BigInt(version) }) };
    return (await callUnary(this.nodes, nodeRpc.getNode, request, { metadata: newTrace().metadata })).node!;
  }

  /** One page of a drive's nodes; pass the returned token for the next (empty: the last page). */
  async listNodes(driveId: string, pageToken = '', pageSize = 0): Promise<metadataV1.ListNodesResponse> {
    return callUnary(
      this.nodes,
      nodeRpc.listNodes,
      { driveId, pageToken, pageSize },
      { metadata: newTrace().metadata },
    );
  }

  /** Newest first. */
  async listVersions(nodeId: string): Promise<metadataV1.Node[]> {
    return (await callUnary(this.nodes, nodeRpc.listVersions, { nodeId }, { metadata: newTrace().metadata }))
      .versions;
  }

  async deleteNode(nodeId: string): Promise<void> {
    await callUnary(this.nodes, nodeRpc.deleteNode, { nodeId }, { metadata: newTrace().metadata });
  }

  /**
   * Reads a node (its latest or a given version, whole or a range) with parallel ranged reads into
   * `sink` (if given), in order: ReadFile calls, or with `transfer` GETs straight from S3 of a
   * presigned URL. A whole-file read is checked against the node's SHA-256.
   */
  async download(nodeId: string, sink?: Writable, options: DownloadOptions = {}): Promise<DownloadResult> {
    const started = performance.now();
    const { traceId, metadata } = newTrace();
    const clients = { downloads: this.downloads, nodes: this.nodes };
    const read = await readNode({ ...clients, metadata, nodeId, sink }, options);
    return { ...read, traceId, seconds: (performance.now() - started) / 1000 };
  }

  close(): void {
    this.uploads.close();
    this.downloads.close();
    this.nodes.close();
  }

  private async uploadFile(path: string, options: UploadOptions): Promise<UploadResult> {
    const started = performance.now();
    const { traceId, metadata } = newTrace();
    const totalBytes = (await stat(path)).size;
    if (await this.goesInOneCall(totalBytes, options, metadata)) {
      const { node, uploadId } = await uploadInOneCall({
        uploads: this.uploads,
        metadata,
        path,
        name: options.name,
        driveId: options.driveId ?? 'default',
        maxRetries: options.maxRetries ?? 5,
      });
      options.onProgress?.(totalBytes, totalBytes);
      const seconds = (performance.now() - started) / 1000;
      return {
        node: node!,
        uploadId,
        bytes: totalBytes,
        sha256: node!.sha256,
        chunksResumed: 0,
        transfer: 'streamed',
        traceId,
        seconds,
      };
    }
    const chunkBytes = options.chunkBytes ?? 8 * MiB;
    const chunkCount = chunkCountOf(totalBytes, chunkBytes);
    const fileHash = new InOrderFileHash(HELD_FOR_FILE_HASH_BYTES);
    const { uploadId, nodeId, chunks } = await this.openUpload(options, chunkCount, metadata);
    options.onUploadStarted?.({ uploadId, nodeId, chunkBytes });
    let bytesDone = (chunkCount - chunks.length) * chunkBytes;
    const transfer = await sendChunksBy(options.transfer ?? 'streamed', {
      client: this.uploads,
      metadata,
      path,
      totalBytes,
      chunkCount,
      chunkBytes,
      uploadId,
      chunks,
      streams: options.streams ?? 4,
      maxRetries: options.maxRetries ?? 5,
      onChunkSent: (_chunk, bytes) =>
        options.onProgress?.(Math.min((bytesDone += bytes), totalBytes), totalBytes),
      onRetry: options.onRetry,
      onChunkRead: (chunk, data) => fileHash.add(chunk, data),
    });
    const sha256 = await fileHash.digest(path, chunkBytes, totalBytes);
    const node = await this.complete(uploadId, chunkCount, sha256, metadata, options);
    return {
      node,
      uploadId,
      bytes: totalBytes,
      sha256: node.sha256,
      chunksResumed: chunkCount - chunks.length,
      transfer,
      traceId,
      seconds: (performance.now() - started) / 1000,
    };
  }

  private async goesInOneCall(
    totalBytes: number,
    options: UploadOptions,
    metadata: Metadata,
  ): Promise<boolean> {
    if (options.oneCall === false || options.resumeUploadId !== undefined) return false;
    return totalBytes <= (await this.oneCallLimit.maxBytes(metadata));
  }

  /** A new upload, or the one to resume with the chunks it still lacks. */
  private async openUpload(options: UploadOptions, chunkCount: number, metadata: Metadata) {
    const all = Array.from({ length: chunkCount }, (_, chunk) => chunk);
    const retries = options.maxRetries ?? 5;
    if (options.resumeUploadId === undefined) {
      // The key makes sending it again safe: an initiation whose answer was lost is not repeated.
      const request = {
        name: options.name,
        driveId: options.driveId ?? 'default',
        idempotencyKey: randomUUID(),
      };
      const { uploadId, nodeId } = await retryWhileUnavailable(
        () => callUnary(this.uploads, uploadRpc.initiateUpload, request, { metadata }),
        retries,
      );
      return { uploadId, nodeId, chunks: all };
    }
    const statusRequest = { uploadId: options.resumeUploadId };
    const status = await retryWhileUnavailable(
      () => callUnary(this.uploads, uploadRpc.getUploadStatus, statusRequest, { metadata }),
      retries,
    );
    const upload = status.upload!;
    if (FINISHING_STATES.has(upload.state)) {
      // Stopped at or after CompleteUpload: nothing to send, completing again tells the outcome.
      return { uploadId: upload.uploadId, nodeId: upload.nodeId, chunks: [] };
    }
    if (!OPEN_STATES.has(upload.state)) {
      throw new ResumeError(
        `upload ${upload.uploadId} is ${uploadV1.UploadState[upload.state]}, not open: it cannot be resumed (node ${upload.nodeId})`,
      );
    }
    const beyond = status.received.find((range) => range.last >= BigInt(chunkCount));
    if (beyond) throw new ResumeError(`upload ${upload.uploadId} has chunk ${beyond.last}: not this file`);
    return {
      uploadId: upload.uploadId,
      nodeId: upload.nodeId,
      chunks: chunksNotReceived(chunkCount, status.received),
    };
  }

  /** Completing again is safe: a completed upload answers with the version it recorded. */
  private async complete(
    uploadId: string,
    chunkCount: number,
    sha256: string,
    metadata: Metadata,
    options: UploadOptions,
  ) {
    const request = { uploadId, totalChunks: BigInt(chunkCount), sha256 };
    const { node } = await retryWhileUnavailable(
      () => callUnary(this.uploads, uploadRpc.completeUpload, request, { metadata }),
      options.maxRetries ?? 5,
    );
    if (node!.sha256 !== sha256) {
      throw new IntegrityError(`node ${node!.nodeId} has SHA-256 ${node!.sha256}, the bytes sent ${sha256}`);
    }
    return node!;
  }

  private async uploadStream(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: UploadOptions,
  ): Promise<UploadResult> {
    const started = performance.now();
    const { traceId, metadata } = newTrace();
    const { resumeUploadId: _notForStreams, ...fresh } = options;
    const { uploadId, nodeId } = await this.openUpload(fresh, 0, metadata);
    const chunkBytes = options.chunkBytes ?? 8 * MiB;
    options.onUploadStarted?.({ uploadId, nodeId, chunkBytes });
    const hash = createHash('sha256');
    let chunkCount = 0;
    let bytes = 0;
    async function* messages() {
      for await (const data of fixedSizeChunks(source, chunkBytes)) {
        hash.update(data);
        bytes += data.length;
        options.onProgress?.(bytes, undefined);
        const chunkSha256 = createHash('sha256').update(data).digest('hex');
        yield { chunk: { uploadId, chunkNumber: BigInt(chunkCount++), data, sha256: chunkSha256 } };
      }
    }
    const { results } = await callClientStream(this.uploads, uploadRpc.uploadChunks, messages(), {
      metadata,
      maxQueuedMessages: 2,
    });
    const refused = results.find((result) => result.code !== 0);
    if (refused) throw new ChunkRefusedError(Number(refused.chunkNumber), refused.code, refused.message);
    const node = await this.complete(uploadId, chunkCount, hash.digest('hex'), metadata, options);
    return {
      node,
      uploadId,
      bytes,
      sha256: node.sha256,
      chunksResumed: 0,
      transfer: 'streamed',
      traceId,
      seconds: (performance.now() - started) / 1000,
    };
  }
}
