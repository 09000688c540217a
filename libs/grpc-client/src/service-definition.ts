import {
  fromBinary,
  toBinary,
  type DescMessage,
  type DescService,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { bulkEncoderOf } from '@tessera/contracts';
import { relayedBytesOf, rememberReceived } from './relayed-messages';

function serializer<Desc extends DescMessage>(schema: Desc) {
  const bulk = bulkEncoderOf(schema);
  return (message: MessageShape<Desc>): Buffer => {
    const bytes = relayedBytesOf(message) ?? bulk?.(message) ?? toBinary(schema, message);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<Desc extends DescMessage>(schema: Desc) {
  return (bytes: Buffer): MessageShape<Desc> => fromBinary(schema, bytes);
}

/**
 * A request whose bytes are not a message of its type. grpc-js answers a request deserializer that
 * throws with INTERNAL, so servers deserialize into this instead and the call handler answers
 * INVALID_ARGUMENT (call-handlers.ts).
 */
export class MalformedRequest {
  constructor(
    readonly typeName: string,
    readonly reason: string,
  ) {}
}

function requestDeserializer<Desc extends DescMessage>(schema: Desc) {
  return (bytes: Buffer): MessageShape<Desc> | MalformedRequest => {
    try {
      const message = fromBinary(schema, bytes);
      rememberReceived(message, bytes);
      return message;
    } catch (error) {
      return new MalformedRequest(schema.typeName, error instanceof Error ? error.message : String(error));
    }
  };
}

/** A grpc-js service definition whose (de)serialisation is done by protobuf-es. */
export function serviceDefinitionOf(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: serializer(method.input) as (value: unknown) => Buffer,
      requestDeserialize: requestDeserializer(method.input),
      responseSerialize: serializer(method.output) as (value: unknown) => Buffer,
      responseDeserialize: deserializer(method.output),
      originalName: method.localName,
    };
  }
  return definition as ServiceDefinition;
}
