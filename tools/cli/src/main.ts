import { parseArgs } from 'node:util';
import { eventsTail } from './events-tail.command';
import { latencyLabLines, runLatencyLab } from './lab/latency-lab';
import { printTrace } from './trace.command';

const USAGE = `usage: tessera <command> [options]

  events tail       print lifecycle events as they arrive, decoded with the schema each one
                    names in Apicurio Registry
    --brokers <host:port,...>   Kafka bootstrap brokers (TESSERA_KAFKA_BROKERS, 127.0.0.1:9092)
    --topic <name>              lifecycle topic (TESSERA_LIFECYCLE_TOPIC, tessera.lifecycle.v1)
    --registry <url>            Apicurio REST API v3 (TESSERA_SCHEMA_REGISTRY_URL,
                                http://127.0.0.1:8080/apis/registry/v3)
    --from-beginning            start at the oldest event the topic holds, not at the newest
    --node <node_id>            only this node's events
    --max-events <n>            stop after n events
    --idle-timeout <seconds>    stop once no event arrived for this long
    --json                      one JSON object per line

  trace <trace-id>  print a trace from Jaeger as a waterfall: one line per span, bars on a time axis
    --jaeger <url>              Jaeger query (TESSERA_JAEGER_URL, http://127.0.0.1:16686)
    --width <columns>           line width (the terminal's, or 120)

  lab latency       run the services with S3 behind Toxiproxy, upload and download before and after
                    injecting latency, and report from the traces where the time went
    --s3 <ms>                   latency added to every S3 connection (required)
    --error-rate <0-1>          share of S3 connections reset (default 0)
    --size-kib <n>              file size (default 1024), --chunk-kib <n> (default 256)
    --rounds <n>                uploads and downloads per phase (default 3)
    --jaeger <url>              Jaeger query (TESSERA_JAEGER_URL, http://127.0.0.1:16686)
    --json                      the report as JSON

Exit codes: 0 done, 1 Kafka, the registry or Jaeger failed, 2 bad usage.`;

class UsageError extends Error {}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} must be a positive number`);
  return number;
}

const print = (line: string) => console.log(line);

async function runEventsTail(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
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
    },
  });
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
    print,
    stop.signal,
  );
}

async function runTrace(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      jaeger: { type: 'string', default: process.env['TESSERA_JAEGER_URL'] ?? 'http://127.0.0.1:16686' },
      width: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('trace takes one trace id');
  const columns = positive('width', values.width) ?? process.stdout.columns ?? 120;
  await printTrace({ traceId: positionals[0]!, jaegerUrl: values.jaeger, columns }, print);
}

async function runLab(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      s3: { type: 'string' },
      'error-rate': { type: 'string', default: '0' },
      'size-kib': { type: 'string', default: '1024' },
      'chunk-kib': { type: 'string', default: '256' },
      rounds: { type: 'string', default: '3' },
      jaeger: { type: 'string', default: process.env['TESSERA_JAEGER_URL'] ?? 'http://127.0.0.1:16686' },
      json: { type: 'boolean', default: false },
    },
  });
  const s3LatencyMs = positive('s3', values.s3);
  if (s3LatencyMs === undefined) throw new UsageError('lab latency needs --s3 <ms>');
  const errorRate = Number(values['error-rate']);
  if (!(errorRate >= 0 && errorRate < 1)) throw new UsageError('--error-rate must be at least 0 and below 1');
  const report = await runLatencyLab(
    {
      s3LatencyMs,
      errorRate,
      fileBytes: positive('size-kib', values['size-kib'])! * 1024,
      chunkBytes: positive('chunk-kib', values['chunk-kib'])! * 1024,
      rounds: positive('rounds', values.rounds)!,
      jaegerUrl: values.jaeger,
    },
    (line) => console.error(line),
  );
  if (values.json) print(JSON.stringify(report, null, 2));
  else latencyLabLines(report).forEach(print);
}

async function main(argv: string[]): Promise<void> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    print(USAGE);
  } else if (first === 'events' && second === 'tail') {
    await runEventsTail(rest);
  } else if (first === 'lab' && second === 'latency') {
    await runLab(rest);
  } else if (first === 'trace') {
    await runTrace(argv.slice(1));
  } else {
    throw new UsageError(`unknown command: ${argv.join(' ')}`);
  }
}

main(process.argv.slice(2)).then(
  () => (process.exitCode = 0),
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const usage =
      error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    console.error(`tessera: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
