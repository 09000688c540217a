import {
  create,
  type DescField,
  type DescMessage,
  type Message,
  type MessageShape,
} from '@bufbuild/protobuf';

/**
 * Messages a server received and may forward unchanged, with the bytes they were decoded from: the
 * client serializer sends those bytes instead of encoding the message again, which for a chunk
 * would copy every byte once more (and leave one more buffer for the garbage collector).
 */
const receivedBytes = new WeakMap<object, Uint8Array>();

/** Request types whose received bytes are kept for relaying (set by relayRequestsOf). */
const relayed = new Set<string>();

/**
 * Keeps the received bytes of requests of these types, so a handler can forward them with
 * relayAs(). Such requests are frozen when received: they can only be sent on as they came.
 */
export function relayRequestsOf(...schemas: DescMessage[]): void {
  for (const schema of schemas) relayed.add(schema.typeName);
}

/** Called by the request deserializer with each decoded request. */
export function rememberReceived(message: Message, bytes: Uint8Array): void {
  if (!relayed.has(message.$typeName)) return;
  for (const value of Object.values(message)) {
    if (value && typeof value === 'object' && '$typeName' in value) Object.freeze(value);
  }
  Object.freeze(message);
  receivedBytes.set(message, bytes);
}

/** The bytes to send for `message`, when it is a received message relayed unchanged. */
export function relayedBytesOf(message: unknown): Uint8Array | undefined {
  return message && typeof message === 'object' ? receivedBytes.get(message) : undefined;
}

function sameField(a: DescField, b: DescField): boolean {
  if (a.number !== b.number || a.fieldKind !== b.fieldKind || a.localName !== b.localName) return false;
  switch (a.fieldKind) {
    case 'scalar':
      return b.fieldKind === 'scalar' && a.scalar === b.scalar;
    case 'message':
      return b.fieldKind === 'message' && a.message.typeName === b.message.typeName;
    case 'enum':
      return b.fieldKind === 'enum' && a.enum.typeName === b.enum.typeName;
    default:
      return false;
  }
}

/** Whether a message of `a` encodes exactly as the same content of `b` (same fields, numbers, types). */
export function sameWireShape(a: DescMessage, b: DescMessage): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.oneofs.length === 0 &&
    b.oneofs.length === 0 &&
    a.fields.every((field, k) => sameField(field, b.fields[k]!))
  );
}

const checkedPairs = new Set<string>();

/**
 * `received` (a `from` message) as a message of `to`, a type of the same wire shape, sent as the
 * bytes it was received in. A message that was not received by a relaying server is encoded as usual.
 */
export function relayAs<To extends DescMessage>(
  from: DescMessage,
  received: Message,
  to: To,
): MessageShape<To> {
  const pair = `${from.typeName}>${to.typeName}`;
  if (from.typeName !== received.$typeName)
    throw new Error(`${received.$typeName} is not a ${from.typeName}`);
  if (!checkedPairs.has(pair)) {
    if (!sameWireShape(from, to))
      throw new Error(`${from.typeName} cannot be relayed as ${to.typeName}: their fields differ`);
    checkedPairs.add(pair);
  }
  const { $typeName: _typeName, ...fields } = received as Message & Record<string, unknown>;
  const message = create(to, fields as never);
  const bytes = receivedBytes.get(received);
  if (bytes) {
    Object.freeze(message);
    receivedBytes.set(message, bytes);
  }
  return message;
}
