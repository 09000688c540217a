import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
} from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { createGrpcClient, serviceDefinitionOf } from '@tessera/grpc';
import type { CheckedChunk } from '../domain/repository.port';
import { GrpcRepository } from './grpc-repository';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A repository service from before RelayChunks: it answers it UNIMPLEMENTED and takes WriteChunks. */
async function olderRepositoryService() {
  const seen = { relayCalls: 0, chunks: [] as { header: internalV1.ChunkHeader; bytes: Buffer }[] };
  const server = new Server();
  server.addService(serviceDefinitionOf(internalV1.RepositoryService), {
    RelayChunks: (call: ServerDuplexStream<unknown, unknown>) => {
      seen.relayCalls++;
      call.emit('error', {
        code: status.UNIMPLEMENTED,
        details: 'The server does not implement RelayChunks',
      });
    },
    WriteChunks: (
      call: ServerReadableStream<internalV1.WriteChunksRequest, unknown>,
      callback: sendUnaryData<unknown>,
    ) => {
      const results: { chunkNumber: bigint; sha256: string }[] = [];
      let current: { header: internalV1.ChunkHeader; pieces: Uint8Array[] } | undefined;
      call.on('data', ({ frame }: internalV1.WriteChunksRequest) => {
        if (frame.case === 'header') current = { header: frame.value, pieces: [] };
        if (frame.case === 'data') current!.pieces.push(frame.value);
        if (frame.case === 'end') {
          const bytes = Buffer.concat(current!.pieces);
          seen.chunks.push({ header: current!.header, bytes });
          results.push({ chunkNumber: current!.header.chunkNumber, sha256: sha256(bytes) });
        }
      });
      call.on('end', () => callback(null, create(internalV1.WriteChunksResponseSchema, { results })));
    },
  } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, seen, address: `127.0.0.1:${port}` };
}

const uploadId = '0b1f3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const checked = (chunkNumber: bigint, data: Buffer, sha = ''): CheckedChunk => ({
  uploadId,
  chunkNumber,
  data,
  sha256: sha,
  force: false,
});

describe('GrpcRepository against a repository service older than RelayChunks', () => {
  it('sends the chunks on WriteChunks instead, the ones already taken included, and stays with it', async () => {
    const { server, seen, address } = await olderRepositoryService();
    const client = createGrpcClient(internalV1.RepositoryService, address);
    const repository = new GrpcRepository(client);
    const data = [randomBytes(MiB + 5), randomBytes(10), randomBytes(3 * MiB)];
    // The next chunks come late, after the UNIMPLEMENTED answer: the first call is then waiting for one.
    async function* slowChunks() {
      yield checked(0n, data[0]!, sha256(data[0]!).toUpperCase());
      await sleep(100);
      yield checked(1n, data[1]!);
      yield checked(2n, data[2]!);
    }
    try {
      const results = [];
      for await (const result of repository.writeChunks(slowChunks())) results.push(result);
      expect(results.map((result) => [result.chunkNumber, result.sha256])).toEqual(
        data.map((bytes, k) => [BigInt(k), sha256(bytes)]),
      );
      expect(seen.chunks.map(({ header }) => [header.chunkNumber, header.sha256, header.size])).toEqual(
        data.map((bytes, k) => [BigInt(k), sha256(bytes), BigInt(bytes.length)]),
      );
      expect(seen.chunks.map(({ bytes }) => sha256(bytes))).toEqual(data.map(sha256));

      for await (const _result of repository.writeChunks(slowChunks())) {
        // straight to WriteChunks
      }
      expect(seen.relayCalls).toBe(1);
      expect(seen.chunks).toHaveLength(6);
    } finally {
      client.close();
      server.forceShutdown();
    }
  }, 10_000);
});
