import { parseArgs } from 'node:util';
import { eventsTail } from './events-tail.command';

const USAGE = `usage: tessera events tail [options]

Prints Tessera's lifecycle events as they arrive, decoded with the schema each one names in
Apicurio Registry.

  --brokers <host:port,...>   Kafka bootstrap brokers   (TESSERA_KAFKA_BROKERS, 127.0.0.1:9092)
  --topic <name>              lifecycle topic           (TESSERA_LIFECYCLE_TOPIC, tessera.lifecycle.v1)
  --registry <url>            Apicurio REST API v3      (TESSERA_SCHEMA_REGISTRY_URL,
                                                         http://127.0.0.1:8080/apis/registry/v3)
  --from-beginning            start at the oldest event the topic holds, not at the newest
  --node <node_id>            only this node's events
  --max-events <n>            stop after n events
  --idle-timeout <seconds>    stop once no event arrived for this long
  --json                      one JSON object per line

Exit codes: 0 done, 1 Kafka or the registry failed, 2 bad usage.`;

class UsageError extends Error {}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} must be a positive number`);
  return number;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      brokers: { type: 'string', default: process.env['TESSERA_KAFKA_BROKERS'] ?? '127.0.0.1:9092' },
      topic: { type: 'string', default: process.env['TESSERA_LIFECYCLE_TOPIC'] ?? 'tessera.lifecycle.v1' },
      registry: {
        type: 'string',
        default: process.env['TESSERA_SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8080/apis/registry/v3',
      },
      'from-beginning': { type: 'boolean', default: false },
      node: { type: 'string' },
      'max-events': { type: 'string' },
      'idle-timeout': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.join(' ') !== 'events tail')
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  const idleTimeoutSeconds = positive('idle-timeout', values['idle-timeout']);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await eventsTail(
    {
      brokers: values.brokers.split(',').map((broker) => broker.trim()),
      topic: values.topic,
      registryUrl: values.registry,
      fromBeginning: values['from-beginning'],
      nodeId: values.node,
      maxEvents: positive('max-events', values['max-events']),
      idleTimeoutMs: idleTimeoutSeconds === undefined ? undefined : idleTimeoutSeconds * 1000,
      json: values.json,
    },
    (line) => console.log(line),
    stop.signal,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const usage =
      error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    console.error(`tessera: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
