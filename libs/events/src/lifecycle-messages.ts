import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { eventsV1 } from '@tessera/contracts';

/** Every lifecycle event message, by its full protobuf name (the `apicurio.value.msgType` header). */
export const LIFECYCLE_MESSAGES = {
  'tessera.events.v1.UploadInitiated': eventsV1.UploadInitiatedSchema,
  'tessera.events.v1.ChunkUploaded': eventsV1.ChunkUploadedSchema,
  'tessera.events.v1.UploadCompleted': eventsV1.UploadCompletedSchema,
  'tessera.events.v1.UploadFailed': eventsV1.UploadFailedSchema,
  'tessera.events.v1.UploadAborted': eventsV1.UploadAbortedSchema,
  'tessera.events.v1.NodeDeleted': eventsV1.NodeDeletedSchema,
} as const;

export type LifecycleMessageType = keyof typeof LIFECYCLE_MESSAGES;

/** A decoded lifecycle event: its type name and the message. */
export type LifecycleMessage = {
  [T in LifecycleMessageType]: { type: T; message: MessageShape<(typeof LIFECYCLE_MESSAGES)[T]> };
}[LifecycleMessageType];

/** The file every lifecycle message is declared in, as registered in Apicurio (its artifact id). */
export const LIFECYCLE_EVENTS_ARTIFACT = 'tessera/events/v1/lifecycle_events.proto';

export function isLifecycleMessageType(name: string): name is LifecycleMessageType {
  return Object.hasOwn(LIFECYCLE_MESSAGES, name);
}

export function decodeLifecycleMessage(type: string, value: Uint8Array): LifecycleMessage {
  if (!isLifecycleMessageType(type)) throw new Error(`unknown lifecycle event type ${type}`);
  const schema: DescMessage = LIFECYCLE_MESSAGES[type];
  return { type, message: fromBinary(schema, value) } as LifecycleMessage;
}

export function encodeLifecycleMessage(event: LifecycleMessage): Uint8Array {
  const schema: DescMessage = LIFECYCLE_MESSAGES[event.type];
  return toBinary(schema, event.message);
}
