import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { lifecycleHeaders, type SchemaCoordinates } from '@tessera/events';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { EventPublisher, OutboxRecord } from '../../domain/ports/outbox.port';

export interface KafkaEventPublisherOptions {
  topic: string;
  /** Create the topic when it is missing (local development; production topics are provisioned). */
  createTopic: boolean;
  partitions: number;
  /** Where the lifecycle events' schema is registered (looked up once, then cached). */
  schema: () => Promise<SchemaCoordinates>;
}

/**
 * Publishes outbox records to the lifecycle topic, keyed by node id, and resolves once every broker
 * replica acknowledged them. Each event gets a PRODUCER span in the trace of the change that wrote
 * it — not the relay's — so consumers continue the client's trace (docs/events.md).
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly tracer = trace.getTracer('tessera.repository-service.outbox');
  private producer: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaEventPublisherOptions,
  ) {}

  async publish(records: readonly OutboxRecord[]): Promise<void> {
    const schema = await this.options.schema();
    const producer = await this.connectedProducer();
    const spans = records.map((record) => this.startSpan(record));
    const messages = records.map((record, index) => this.toMessage(record, spans[index]!, schema));
    try {
      // The kafkajs instrumentation would stamp every message with the relay's own context.
      await context.with(suppressTracing(context.active()), () =>
        producer.send({ topic: this.options.topic, acks: -1, timeout: 30_000, messages }),
      );
      spans.forEach((span) => span.end());
    } catch (error) {
      for (const span of spans) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      throw error;
    }
  }

  /** Connects (creating the topic if so configured) ahead of the first publish; publish retries it. */
  async connect(): Promise<void> {
    await this.connectedProducer();
  }

  async close(): Promise<void> {
    const producer = await this.producer?.catch(() => undefined);
    await producer?.disconnect();
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= this.connectProducer().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  private async connectProducer(): Promise<Producer> {
    if (this.options.createTopic) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        await admin.createTopics({
          topics: [{ topic: this.options.topic, numPartitions: this.options.partitions }],
          waitForLeaders: true,
        });
      } finally {
        await admin.disconnect();
      }
    }
    // One request in flight per broker keeps a node's events in order across retries.
    const producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    await producer.connect();
    return producer;
  }

  private startSpan(record: OutboxRecord): Span {
    const parent = propagation.extract(ROOT_CONTEXT, record.traceContext);
    return this.tracer.startSpan(
      `send ${this.options.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': this.options.topic,
          'messaging.kafka.message.key': record.key,
          'messaging.message.id': record.eventId,
          'tessera.event.type': record.type,
          'tessera.outbox.wait_ms': Date.now() - record.createdAt.getTime(),
        },
      },
      parent,
    );
  }

  private toMessage(record: OutboxRecord, span: Span, schema: SchemaCoordinates): Message {
    const headers: Record<string, Buffer | string> = lifecycleHeaders(record.eventId, record.type, schema);
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
    return {
      key: record.key,
      value: Buffer.from(record.payload.buffer, record.payload.byteOffset, record.payload.byteLength),
      headers,
      timestamp: String(record.createdAt.getTime()),
    };
  }
}
