import { trace } from '@opentelemetry/api';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { EventLogger } from './kafka-client';
import { readLifecycleHeaders, type SchemaCoordinates } from './lifecycle-headers';
import { decodeLifecycleMessage, type LifecycleMessage } from './lifecycle-messages';
import { RecentIds } from './recent-ids';

/** One received lifecycle event. */
export interface LifecycleDelivery {
  eventId: string;
  /** The Kafka key: the node id. */
  key: string;
  partition: number;
  offset: string;
  schema: SchemaCoordinates;
  event: LifecycleMessage;
}

export interface LifecycleConsumerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
  /** A throw leaves the event uncommitted: kafkajs retries it, so make handling idempotent. */
  handle: (delivery: LifecycleDelivery) => Promise<void>;
  logger: EventLogger;
  /** How many recent event ids are remembered to drop redeliveries. */
  dedupeWindow?: number;
  /** Pause between attempts to join the group while Kafka is unreachable. */
  reconnectDelayMs?: number;
}

/**
 * Consumes the lifecycle topic in a consumer group: decodes each event, drops copies of events it
 * has just handled (delivery is at-least-once) and skips, with an error log, a message that is not
 * a lifecycle event rather than blocking its partition. Joins the group in the background, so a
 * service starts while Kafka is down and catches up when it returns.
 */
export class LifecycleConsumer {
  private readonly recent: RecentIds;
  private consumer: Consumer | undefined;
  private stopped = false;
  private joining: Promise<void> | undefined;

  constructor(private readonly options: LifecycleConsumerOptions) {
    this.recent = new RecentIds(options.dedupeWindow ?? 10_000);
  }

  start(): void {
    this.joining = this.joinUntilStopped();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.joining;
    await this.consumer?.disconnect();
  }

  private async joinUntilStopped(): Promise<void> {
    while (!this.stopped) {
      // The publisher creates the topic with its partitions; a consumer never creates it.
      const consumer = this.options.kafka.consumer({
        groupId: this.options.groupId,
        allowAutoTopicCreation: false,
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: this.options.topic, fromBeginning: this.options.fromBeginning });
        this.consumer = consumer;
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
          this.options.logger.info(
            { topic: this.options.topic, groupId: payload.groupId, assignment: payload.memberAssignment },
            'lifecycle consumer joined its group',
          ),
        );
        await consumer.run({ eachMessage: (payload) => this.receive(payload) });
        return;
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        this.options.logger.warn(
          { err: error, topic: this.options.topic },
          'lifecycle consumer could not join its group; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, this.options.reconnectDelayMs ?? 2_000));
      }
    }
  }

  private async receive({ partition, message }: EachMessagePayload): Promise<void> {
    let delivery: LifecycleDelivery;
    try {
      const headers = readLifecycleHeaders(message.headers ?? {});
      delivery = {
        eventId: headers.eventId,
        key: message.key?.toString('utf8') ?? '',
        partition,
        offset: message.offset,
        schema: { globalId: headers.globalId, contentId: headers.contentId },
        event: decodeLifecycleMessage(headers.messageType, message.value ?? Buffer.alloc(0)),
      };
    } catch (error) {
      this.options.logger.error(
        { err: error, topic: this.options.topic, partition, offset: message.offset },
        'skipped a message that is not a lifecycle event',
      );
      return;
    }
    // The kafkajs instrumentation made this message's CONSUMER span the active one.
    trace.getActiveSpan()?.setAttributes({
      'messaging.message.id': delivery.eventId,
      'tessera.event.type': delivery.event.type,
    });
    if (this.recent.has(delivery.eventId)) return;
    await this.options.handle(delivery);
    this.recent.add(delivery.eventId);
  }
}
