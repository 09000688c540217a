import { randomUUID } from 'node:crypto';
import { decodeLifecycleMessage, readLifecycleHeaders, type LifecycleMessage } from '@tessera/events';
import { Kafka, logLevel } from 'kafkajs';

/** A lifecycle event as a test reads it from the topic. */
export interface ReceivedEvent {
  eventId: string;
  /** Short type name, e.g. UploadCompleted. */
  type: string;
  key: string;
  partition: number;
  offset: number;
  globalId: number;
  contentId: number;
  traceParent: string | undefined;
  event: LifecycleMessage;
}

/**
 * Reads a lifecycle topic from the beginning in a fresh consumer group until `enough` says so (or
 * fails after timeoutMs with what it got). Events come in partition order, partitions interleaved.
 */
export async function readLifecycleTopic(
  brokers: string[],
  topic: string,
  enough: (events: ReceivedEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<ReceivedEvent[]> {
  const kafka = new Kafka({ clientId: 'tessera-tests', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `tests-${randomUUID()}`, allowAutoTopicCreation: false });
  const events: ReceivedEvent[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = readLifecycleHeaders(message.headers ?? {});
        const event = decodeLifecycleMessage(headers.messageType, message.value!);
        events.push({
          eventId: headers.eventId,
          type: event.type.replace('tessera.events.v1.', ''),
          key: message.key!.toString(),
          partition,
          offset: Number(message.offset),
          globalId: headers.globalId,
          contentId: headers.contentId,
          traceParent: message.headers?.['traceparent']?.toString(),
          event,
        });
        if (enough(events)) done();
      },
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`only ${events.length} events on ${topic} after ${timeoutMs} ms`)),
        timeoutMs,
      ).unref(),
    );
    await Promise.race([finished, timeout]);
    return events;
  } finally {
    await consumer.disconnect();
  }
}

/** The node's events in the order they were consumed (one node's events share a partition). */
export function eventsOfNode(events: ReceivedEvent[], nodeId: string): ReceivedEvent[] {
  return events.filter((event) => event.key === nodeId);
}

/** Of one upload: how many initiated, chunk (distinct chunk numbers) and completed events arrived. */
export interface UploadEventCount {
  initiated: number;
  chunks: number;
  completed: number;
}

/** Reads the topic until the upload's UploadCompleted arrived, and counts the upload's events. */
export async function countUploadEvents(
  brokers: string[],
  topic: string,
  uploadId: string,
): Promise<UploadEventCount> {
  const ofUpload = (events: ReceivedEvent[]) =>
    events.filter((event) => event.event.message.uploadId === uploadId);
  const events = ofUpload(
    await readLifecycleTopic(brokers, topic, (got) =>
      ofUpload(got).some((event) => event.type === 'UploadCompleted'),
    ),
  );
  const chunkNumbers = new Set(
    events.flatMap((event) =>
      event.event.type === 'tessera.events.v1.ChunkUploaded' ? [Number(event.event.message.chunkNumber)] : [],
    ),
  );
  const count = (type: string) => events.filter((event) => event.type === type).length;
  return {
    initiated: count('UploadInitiated'),
    chunks: chunkNumbers.size,
    completed: count('UploadCompleted'),
  };
}
