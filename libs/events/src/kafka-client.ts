import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { stopKafkajsIdleLoop } from './kafkajs-idle-loop';

/** What the Kafka helpers log through; a pino logger fits. */
export interface EventLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: EventLogger;
}

/** A kafkajs client whose own log lines go to the service's logger (its INFO chatter as debug). */
export function createKafka(options: KafkaClientOptions): Kafka {
  stopKafkajsIdleLoop();
  const forward = ({ level, label, log }: LogEntry) => {
    const { message, ...details } = log;
    const line = `kafka: ${message}`;
    if (level === logLevel.ERROR) options.logger.warn({ ...details, kafkaLevel: label }, line);
    else if (level === logLevel.WARN) options.logger.warn(details, line);
    else options.logger.debug(details, line);
  };
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.INFO,
    logCreator: () => forward,
    // kafkajs's 1 s connection timeout misfires when this process or the broker is starved of CPU.
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 300, retries: 5, maxRetryTime: 5_000 },
  });
}
