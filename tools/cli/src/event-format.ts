import type protobuf from 'protobufjs';

/** A decoded lifecycle event as the CLI prints it. */
export interface TailedEvent {
  eventId: string;
  type: string;
  key: string;
  partition: number;
  offset: string;
  globalId: number;
  event: Record<string, unknown>;
}

/** The message as plain JSON: 64-bit integers as strings, Timestamps as ISO-8601 text. */
export function toPlainObject(type: protobuf.Type, message: protobuf.Message): Record<string, unknown> {
  const object = type.toObject(message, { longs: String, enums: String, defaults: true });
  return withIsoTimestamps(type, object);
}

function withIsoTimestamps(type: protobuf.Type, object: Record<string, unknown>): Record<string, unknown> {
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    const nested = field.resolvedType;
    if (value === null || value === undefined || !nested || !('fieldsArray' in nested)) continue;
    if (nested.fullName === '.google.protobuf.Timestamp') {
      const { seconds, nanos } = value as { seconds: string; nanos: number };
      object[field.name] = new Date(Number(seconds) * 1000 + Math.floor(nanos / 1e6)).toISOString();
    } else if (!field.repeated) {
      object[field.name] = withIsoTimestamps(nested as protobuf.Type, value as Record<string, unknown>);
    }
  }
  return object;
}

/** One line for a terminal: time, type, node and the fields that are not on every event. */
export function formatLine(tailed: TailedEvent): string {
  const { occurredAt, nodeId, uploadId, eventId: _eventId, ...rest } = tailed.event;
  const details = Object.entries(rest)
    .map(([name, value]) => `${name}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
  const shortType = tailed.type.replace(/^.*\./, '');
  return `${String(occurredAt)} ${shortType.padEnd(15)} node=${String(nodeId)} upload=${String(uploadId)} ${details}`.trimEnd();
}
