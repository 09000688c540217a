import { create } from '@bufbuild/protobuf';
import { eventsV1 } from '@tessera/contracts';
import { decodeSchemaId, encodeSchemaId, lifecycleHeaders, readLifecycleHeaders } from './lifecycle-headers';
import { decodeLifecycleMessage, encodeLifecycleMessage } from './lifecycle-messages';
import { RecentIds } from './recent-ids';

describe('lifecycle event headers', () => {
  it('carries schema ids as 8-byte big-endian integers, as Apicurio serdes do', () => {
    expect(encodeSchemaId(258)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]));
    expect(decodeSchemaId(encodeSchemaId(2 ** 40 + 7))).toBe(2 ** 40 + 7);
    expect(() => decodeSchemaId(Buffer.from([1, 2]))).toThrow('8 bytes');
  });

  it('reads back what a publisher wrote, and names a missing header', () => {
    const headers = lifecycleHeaders('e-1', 'tessera.events.v1.UploadAborted', {
      globalId: 12,
      contentId: 9,
    });
    expect(readLifecycleHeaders(headers)).toEqual({
      eventId: 'e-1',
      messageType: 'tessera.events.v1.UploadAborted',
      globalId: 12,
      contentId: 9,
    });
    const { 'apicurio.value.globalId': _, ...withoutGlobalId } = headers;
    expect(() => readLifecycleHeaders(withoutGlobalId)).toThrow('header apicurio.value.globalId is missing');
  });
});

describe('lifecycle messages', () => {
  it('round-trips an event through its protobuf encoding by type name', () => {
    const message = create(eventsV1.UploadAbortedSchema, { eventId: 'e', nodeId: 'n', uploadId: 'u' });
    const bytes = encodeLifecycleMessage({ type: 'tessera.events.v1.UploadAborted', message });
    const decoded = decodeLifecycleMessage('tessera.events.v1.UploadAborted', bytes);
    expect(decoded.type).toBe('tessera.events.v1.UploadAborted');
    expect(decoded.message).toMatchObject({ eventId: 'e', nodeId: 'n', uploadId: 'u' });
    expect(() => decodeLifecycleMessage('tessera.events.v1.Nope', bytes)).toThrow(
      'unknown lifecycle event type',
    );
  });
});

describe('RecentIds', () => {
  it('forgets the least recently seen id beyond its capacity', () => {
    const recent = new RecentIds(2);
    recent.add('a');
    recent.add('b');
    recent.add('a');
    recent.add('c');
    expect([recent.has('a'), recent.has('b'), recent.has('c')]).toEqual([true, false, true]);
  });
});
