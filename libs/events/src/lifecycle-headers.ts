/**
 * Headers of every lifecycle event on Kafka (docs/events.md). The value is the plain protobuf
 * encoding of the message named by `apicurio.value.msgType`; the Apicurio ids name the registered
 * version of the .proto file that declares it, as 8-byte big-endian integers — the header format of
 * Apicurio's own Kafka serdes with headers enabled.
 */
export const LifecycleHeader = {
  eventId: 'tessera.event-id',
  globalId: 'apicurio.value.globalId',
  contentId: 'apicurio.value.contentId',
  messageType: 'apicurio.value.msgType',
  traceParent: 'traceparent',
  traceState: 'tracestate',
} as const;

/** Where a lifecycle event's schema is registered. */
export interface SchemaCoordinates {
  globalId: number;
  contentId: number;
}

export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

export function encodeSchemaId(id: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(id));
  return bytes;
}

export function decodeSchemaId(bytes: Buffer): number {
  if (bytes.length !== 8) throw new Error(`a schema id header has 8 bytes, this one ${bytes.length}`);
  return Number(bytes.readBigInt64BE());
}

/** The headers a publisher sets, besides the trace context its tracer injects. */
export function lifecycleHeaders(
  eventId: string,
  messageType: string,
  schema: SchemaCoordinates,
): Record<string, Buffer | string> {
  return {
    [LifecycleHeader.eventId]: eventId,
    [LifecycleHeader.messageType]: messageType,
    [LifecycleHeader.globalId]: encodeSchemaId(schema.globalId),
    [LifecycleHeader.contentId]: encodeSchemaId(schema.contentId),
  };
}

export interface ReceivedLifecycleHeaders extends SchemaCoordinates {
  eventId: string;
  messageType: string;
}

function single(headers: KafkaHeaders, name: string): Buffer {
  const value = headers[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  if (last === undefined) throw new Error(`header ${name} is missing`);
  return Buffer.isBuffer(last) ? last : Buffer.from(last);
}

/** Reads a received event's headers; throws naming the header that is missing or malformed. */
export function readLifecycleHeaders(headers: KafkaHeaders): ReceivedLifecycleHeaders {
  return {
    eventId: single(headers, LifecycleHeader.eventId).toString('utf8'),
    messageType: single(headers, LifecycleHeader.messageType).toString('utf8'),
    globalId: decodeSchemaId(single(headers, LifecycleHeader.globalId)),
    contentId: decodeSchemaId(single(headers, LifecycleHeader.contentId)),
  };
}
