import { randomUUID } from 'node:crypto';
import { readLifecycleHeaders, stopKafkajsIdleLoop } from '@tessera/events';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { formatLine, toPlainObject, type TailedEvent } from './event-format';
import { RegistrySchemas } from './registry-schemas';

export interface EventsTailOptions {
  brokers: string[];
  topic: string;
  registryUrl: string;
  /** From the oldest event the topic still holds; otherwise only events published from now on. */
  fromBeginning: boolean;
  /** Only this node's events. */
  nodeId: string | undefined;
  /** Stop after printing this many. */
  maxEvents: number | undefined;
  /** Stop once no event arrived for this long. */
  idleTimeoutMs: number | undefined;
  json: boolean;
}

/**
 * `tessera events tail`: prints lifecycle events as they arrive, each decoded with the schema its
 * headers name in Apicurio Registry. Reads in a throw-away consumer group, so it never takes events
 * from a real consumer. Resolves with how many it printed.
 */
export async function eventsTail(
  options: EventsTailOptions,
  print: (line: string) => void,
  signal: AbortSignal,
): Promise<number> {
  const schemas = new RegistrySchemas(options.registryUrl);
  stopKafkajsIdleLoop();
  const kafka = new Kafka({ clientId: 'tessera-cli', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `tessera-cli-${randomUUID()}`, allowAutoTopicCreation: false });
  let printed = 0;
  let failure: Error | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stopWhenIdle = () => {
    if (options.idleTimeoutMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(finish, options.idleTimeoutMs);
  };
  signal.addEventListener('abort', finish, { once: true });

  const decode = async (partition: number, message: KafkaMessage): Promise<TailedEvent> => {
    const headers = readLifecycleHeaders(message.headers ?? {});
    const type = await schemas.messageType(headers.globalId, headers.messageType);
    return {
      eventId: headers.eventId,
      type: headers.messageType,
      key: message.key?.toString() ?? '',
      partition,
      offset: message.offset,
      globalId: headers.globalId,
      event: toPlainObject(type, type.decode(message.value ?? Buffer.alloc(0))),
    };
  };

  try {
    await consumer.connect();
    await consumer
      .subscribe({ topic: options.topic, fromBeginning: options.fromBeginning })
      .catch((error: { type?: string }) => {
        if (error.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
        throw new Error(`topic ${options.topic} does not exist on ${options.brokers.join(',')}`);
      });
    stopWhenIdle();
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (printed === options.maxEvents || signal.aborted) return;
        stopWhenIdle();
        try {
          const tailed = await decode(partition, message);
          if (options.nodeId !== undefined && tailed.key !== options.nodeId) return;
          print(options.json ? JSON.stringify(tailed) : formatLine(tailed));
          printed++;
          if (printed === options.maxEvents) finish();
        } catch (error) {
          failure = error as Error;
          finish();
        }
      },
    });
    await finished;
  } finally {
    clearTimeout(idleTimer);
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return printed;
}
