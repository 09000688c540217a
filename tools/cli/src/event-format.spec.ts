import protobuf from 'protobufjs';
import { formatLine, toPlainObject } from './event-format';

const root = new protobuf.Root();
root.addJSON(protobuf.common.get('google/protobuf/timestamp.proto')!.nested!);
protobuf.parse(
  `syntax = "proto3";
   package t;
   import "google/protobuf/timestamp.proto";
   message Ref { string key = 1; uint64 size = 2; }
   message Done { string event_id = 1; google.protobuf.Timestamp occurred_at = 2; string node_id = 3;
                  string upload_id = 4; int64 version = 5; Ref object = 6; }`,
  root,
);
root.resolveAll();
const Done = root.lookupType('t.Done');

describe('printing a decoded event', () => {
  const message = Done.fromObject({
    eventId: 'e1',
    occurredAt: { seconds: 1_800_000_000, nanos: 5_000_000 },
    nodeId: 'n1',
    uploadId: 'u1',
    version: 7,
    object: { key: 'k', size: '18446744073709551615' },
  });

  it('turns 64-bit integers into strings and Timestamps into ISO-8601', () => {
    expect(toPlainObject(Done, message)).toEqual({
      eventId: 'e1',
      occurredAt: '2027-01-15T08:00:00.005Z',
      nodeId: 'n1',
      uploadId: 'u1',
      version: '7',
      object: { key: 'k', size: '18446744073709551615' },
    });
  });

  it('prints one line with the time, the type and the fields particular to the event', () => {
    const line = formatLine({
      eventId: 'e1',
      type: 't.Done',
      key: 'n1',
      partition: 0,
      offset: '3',
      globalId: 1,
      event: toPlainObject(Done, message),
    });
    expect(line).toBe(
      '2027-01-15T08:00:00.005Z Done            node=n1 upload=u1 version=7 object={"key":"k","size":"18446744073709551615"}',
    );
  });
});
