import { once } from 'node:events';
import { buffer } from 'node:stream/consumers';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { create } from '@bufbuild/protobuf';
import { Controller, Get, Head, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import { type metadataV1, uploadV1 } from '@tessera/contracts';
import { httpStatusOf, isTesseraError, TesseraError } from '@tessera/errors';
import type { NodeVersion } from '@tessera/nodes';
import { chunksOf } from '../domain/body-chunks';
import type { ByteRange } from '../domain/read-plan';
import { INTAKE_DOMAIN, type IntakeDomain } from '../intake-domain';
import { collect } from './async-results';
import { chunkRefusal } from './chunk-refusal';
import { queryText } from './http-query';
import { parseRange } from './http-range';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function optionalInteger(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw TesseraError.invalidArgument(field, 'must be a whole number');
  return Number(value);
}

/** What PUT /write names of the file, as the upload API's messages take it. */
interface NewFile {
  name: string;
  driveId: string;
  mimeType?: string;
  expectedVersion?: bigint;
}

/** The version a write recorded, and the upload that recorded it. */
interface Stored {
  node: metadataV1.Node;
  uploadId: string;
}

/** The body's length when the client declared it (not a chunked transfer). */
function contentLengthOf(request: IncomingMessage): number | undefined {
  const declared = request.headers['content-length'];
  return declared !== undefined && /^\d{1,15}$/.test(declared) ? Number(declared) : undefined;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy(error instanceof Error ? error : undefined); // mid-body: the client sees a cut transfer
    return;
  }
  if (!isTesseraError(error)) throw error;
  const retryAfter =
    error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) };
  sendJson(
    response,
    httpStatusOf(error.code),
    { error: { code: error.code, message: error.message } },
    retryAfter,
  );
}

/** The HTTP API of the first prototype, kept for curl users: PUT /write, GET and HEAD /read/{id}. */
@Controller()
export class HttpFilesController {
  constructor(@Inject(INTAKE_DOMAIN) private readonly intake: IntakeDomain) {}

  /**
   * Stores the request body as the node's next version; answers it as JSON. A body of at most the
   * one-call size (by its Content-Length) goes in one call, a longer one through the chunked path.
   */
  @Put('write')
  async write(
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
    @Query('name') nameParameter: unknown,
    @Query('drive_id') driveIdParameter: unknown,
    @Query('expected_version') expectedVersion: unknown,
  ): Promise<void> {
    try {
      const expected = optionalInteger('expected_version', queryText('expected_version', expectedVersion));
      const contentType = request.headers['content-type'];
      const file = {
        name: queryText('name', nameParameter) ?? '',
        driveId: queryText('drive_id', driveIdParameter) ?? '',
        ...(contentType && { mimeType: contentType }),
        ...(expected !== undefined && { expectedVersion: BigInt(expected) }),
      };
      await this.intake.newUploads.admit();
      const length = contentLengthOf(request);
      const { node, uploadId } =
        length !== undefined && length <= (await this.intake.serverLimits.oneCallMaxBytes())
          ? await this.writeWhole(request, length, file)
          : await this.writeInChunks(request, file);
      sendJson(response, 201, {
        upload_id: uploadId,
        file_id: node.nodeId,
        node_id: node.nodeId,
        version: Number(node.version),
        size: Number(node.size),
        sha256: node.sha256,
        etag: `"${node.sha256}"`,
      });
    } catch (error) {
      sendError(response, error);
    }
  }

  private async writeWhole(request: IncomingMessage, length: number, file: NewFile): Promise<Stored> {
    const release = this.intake.chunkBytes.reserve(length, `file "${file.name}"`);
    try {
      const data = await buffer(request);
      const stored = await this.intake.repository.uploadFile(
        create(uploadV1.UploadFileRequestSchema, { ...file, data }),
      );
      return { node: stored.node!, uploadId: stored.uploadId };
    } finally {
      release();
    }
  }

  private async writeInChunks(request: IncomingMessage, file: NewFile): Promise<Stored> {
    const { repository, limits, chunkBytes: chunkBytesBudget } = this.intake;
    const initiated = await repository.createUpload(create(uploadV1.InitiateUploadRequestSchema, file));
    const { uploadId } = initiated;
    try {
      const chunkBytes = Math.min(Number(initiated.suggestedChunkBytes), limits.maxChunkBytes);
      const results = await collect(
        repository.writeChunks(chunkBytesBudget.hold(chunksOf(request, uploadId, chunkBytes))),
      );
      const refused = results.find((result) => result.code !== 0);
      if (refused) throw chunkRefusal(refused);
      const node = await repository.completeUpload(
        create(uploadV1.CompleteUploadRequestSchema, { uploadId }),
      );
      return { node, uploadId };
    } catch (error) {
      await repository.abortUpload(uploadId).catch(() => undefined);
      throw error;
    }
  }

  @Head('read/:id')
  async head(
    @Param('id') id: string,
    @Query('version') version: unknown,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    await this.serve(id, version, request, response, false);
  }

  @Get('read/:id')
  async read(
    @Param('id') id: string,
    @Query('version') version: unknown,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    await this.serve(id, version, request, response, true);
  }

  private async serve(
    id: string,
    version: unknown,
    request: IncomingMessage,
    response: ServerResponse,
    withBody: boolean,
  ): Promise<void> {
    try {
      if (!UUID.test(id)) throw TesseraError.notFound('file', id);
      const node = await this.intake.files.node(
        id,
        optionalInteger('version', queryText('version', version)),
      );
      const asked = parseRange(request.headers.range, node.size);
      if (asked.kind === 'unsatisfiable') {
        response.writeHead(416, { 'Content-Range': `bytes */${node.size}`, 'Accept-Ranges': 'bytes' });
        response.end();
        return;
      }
      const range = asked.kind === 'range' ? asked.range : { offset: 0, length: node.size };
      response.writeHead(asked.kind === 'range' ? 206 : 200, headersOf(node, range, asked.kind === 'range'));
      if (withBody) await this.sendBytes(node, range, response);
      response.end();
    } catch (error) {
      sendError(response, error);
    }
  }

  /** Writes the bytes as S3 yields them, waiting whenever the client is slower (backpressure). */
  private async sendBytes(node: NodeVersion, range: ByteRange, response: ServerResponse): Promise<void> {
    for await (const piece of this.intake.files.pieces(node, range)) {
      if (response.destroyed) return;
      if (!response.write(piece.data)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
    }
  }
}

function headersOf(node: NodeVersion, range: ByteRange, partial: boolean): Record<string, string | number> {
  return {
    'Content-Type': node.mimeType || 'application/octet-stream',
    'Content-Length': range.length,
    ETag: `"${node.sha256}"`,
    'Accept-Ranges': 'bytes',
    'Last-Modified': node.createdAt.toUTCString(),
    ...(partial && {
      'Content-Range': `bytes ${range.offset}-${range.offset + range.length - 1}/${node.size}`,
    }),
  };
}
