import { randomBytes } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { internalV1, uploadV1 } from '@tessera/contracts';
import { relayAs, relayRequestsOf, sameWireShape } from './relayed-messages';
import { serviceDefinitionOf } from './service-definition';

relayRequestsOf(uploadV1.UploadChunksRequestSchema);

const chunk = {
  uploadId: 'a8098c1a-f86e-11da-bd1a-00112444be1e',
  chunkNumber: 7n,
  data: randomBytes(100_000),
  sha256: 'AB'.repeat(32),
};

/** An UploadChunksRequest as the UploadChunks handler of a server gets it, and the bytes it came in. */
function receivedByAServer() {
  const bytes = Buffer.from(
    toBinary(uploadV1.UploadChunksRequestSchema, create(uploadV1.UploadChunksRequestSchema, { chunk })),
  );
  const upload = serviceDefinitionOf(uploadV1.UploadService)['UploadChunks']!;
  return { bytes, message: upload.requestDeserialize(bytes) as uploadV1.UploadChunksRequest };
}

const relayChunks = serviceDefinitionOf(internalV1.RepositoryService)['RelayChunks']!;

describe('relayed messages', () => {
  it('knows the public chunk requests and RelayChunksRequest encode alike, and other messages not', () => {
    expect(sameWireShape(uploadV1.UploadChunksRequestSchema, internalV1.RelayChunksRequestSchema)).toBe(true);
    expect(sameWireShape(uploadV1.UploadChunkRequestSchema, internalV1.RelayChunksRequestSchema)).toBe(true);
    expect(sameWireShape(uploadV1.StreamChunksRequestSchema, internalV1.RelayChunksRequestSchema)).toBe(true);
    expect(sameWireShape(internalV1.WriteChunksRequestSchema, internalV1.RelayChunksRequestSchema)).toBe(
      false,
    );
    expect(sameWireShape(uploadV1.UploadFileRequestSchema, internalV1.RelayChunksRequestSchema)).toBe(false);
  });

  it('sends a received request on as the very bytes it came in, not a copy', () => {
    const { bytes, message } = receivedByAServer();
    const relayed = relayAs(uploadV1.UploadChunksRequestSchema, message, internalV1.RelayChunksRequestSchema);
    const sent = relayChunks.requestSerialize(relayed);
    expect(sent.buffer).toBe(bytes.buffer);
    expect(sent.byteOffset).toBe(bytes.byteOffset);
    expect(sent.equals(bytes)).toBe(true);
    const decoded = fromBinary(internalV1.RelayChunksRequestSchema, sent);
    expect(decoded.chunk).toMatchObject({ ...chunk, data: new Uint8Array(chunk.data) });
  });

  it('freezes a received request, so what is relayed is what was received', () => {
    const { message } = receivedByAServer();
    expect(() => {
      (message.chunk as { chunkNumber: bigint }).chunkNumber = 8n;
    }).toThrow(TypeError);
    expect(Object.isFrozen(message)).toBe(true);
  });

  it('encodes a request no server received as usual', () => {
    const made = create(uploadV1.UploadChunksRequestSchema, { chunk });
    const relayed = relayAs(uploadV1.UploadChunksRequestSchema, made, internalV1.RelayChunksRequestSchema);
    const sent = relayChunks.requestSerialize(relayed);
    expect(sent.equals(Buffer.from(toBinary(internalV1.RelayChunksRequestSchema, relayed)))).toBe(true);
    expect(Object.isFrozen(made)).toBe(false);
  });

  it('refuses to relay a message as a type whose fields differ', () => {
    const { message } = receivedByAServer();
    expect(() =>
      relayAs(uploadV1.UploadChunksRequestSchema, message, internalV1.WriteChunksRequestSchema),
    ).toThrow(/cannot be relayed/);
    expect(() =>
      relayAs(uploadV1.UploadChunkRequestSchema, message, internalV1.RelayChunksRequestSchema),
    ).toThrow(/is not a/);
  });
});
