import type { Logger } from '@tessera/logging';
import { createKafka, LIFECYCLE_EVENTS_ARTIFACT, type SchemaCoordinates } from '@tessera/events';
import { ApicurioRegistry } from '@tessera/schema-registry';
import type { Pool } from 'mysql2/promise';
import type { RepositoryServiceConfig } from '../../config/repository-service.config';
import { OutboxRelay } from '../../domain/events/outbox-relay';
import { OtelRelayObserver } from '../otel/otel-relay-observer';
import { TidbOutbox } from '../tidb/tidb-outbox';
import { KafkaEventPublisher } from './kafka-event-publisher';

/** Looks the events' schema up once; a failed look-up is tried again at the next publish. */
function registeredSchema(registry: ApicurioRegistry, group: string): () => Promise<SchemaCoordinates> {
  let found: Promise<SchemaCoordinates> | undefined;
  return () => {
    found ??= registry.latestVersion(group, LIFECYCLE_EVENTS_ARTIFACT).catch((error: unknown) => {
      found = undefined;
      throw error;
    });
    return found;
  };
}

/** The outbox relay of the repository service, wired to TiDB, Kafka and Apicurio. */
export function createLifecycleRelay(
  config: RepositoryServiceConfig,
  pool: Pool,
  logger: Logger,
): { start(): void; stop(): Promise<void> } {
  const outbox = new TidbOutbox(pool);
  const publisher = new KafkaEventPublisher(
    createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, logger }),
    {
      topic: config.KAFKA_LIFECYCLE_TOPIC,
      createTopic: config.KAFKA_CREATE_TOPIC,
      partitions: config.KAFKA_LIFECYCLE_TOPIC_PARTITIONS,
      schema: registeredSchema(new ApicurioRegistry(config.SCHEMA_REGISTRY_URL), config.SCHEMA_GROUP),
    },
  );
  const relay = new OutboxRelay(
    outbox,
    publisher,
    {
      batchSize: config.OUTBOX_BATCH_SIZE,
      idleDelayMs: config.OUTBOX_POLL_INTERVAL_MS,
      initialBackoffMs: config.OUTBOX_POLL_INTERVAL_MS,
      maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS,
    },
    new OtelRelayObserver(logger, outbox),
  );
  return {
    start: () => {
      // The topic exists before the first event, so consumers can join its group early.
      publisher
        .connect()
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'Kafka not reachable yet: lifecycle events wait in the outbox'),
        );
      relay.start();
    },
    stop: async () => {
      await relay.stop();
      await publisher.close();
    },
  };
}
