import { parseArgs } from 'node:util';
import { eventsTail } from './events-tail.command';
import { positive, print, UsageError, type ClientDefaults } from './cli-args';
import { startClientTracing } from './client-tracing';
import { printTrace } from './trace.command';
import { runDownload } from './download.command';
import { runList, runRemove, runStatus, runVersions } from './nodes.command';
import { runResume, runUpload } from './upload.command';
import { stateDirectory } from './upload-state';
import { USAGE } from './usage';

/** Where the intake gateway and Jaeger are, unless an option says otherwise. */
const defaults = {
  address: process.env['TESSERA_ADDRESS'] ?? '127.0.0.1:50051',
  stateDirectory: stateDirectory(process.env),
  jaegerUrl: process.env['TESSERA_JAEGER_URL'] ?? 'http://127.0.0.1:16686',
};

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
      jaeger: { type: 'string', default: defaults.jaegerUrl },
      width: { type: 'string' },
      wait: { type: 'string', default: '0' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('trace takes one trace id');
  const columns = positive('width', values.width) ?? process.stdout.columns ?? 120;
  const waitSeconds = values.wait === '0' ? 0 : positive('wait', values.wait)!;
  await printTrace({ traceId: positionals[0]!, jaegerUrl: values.jaeger, columns, waitSeconds }, print);
}

/** Commands over the public gRPC API (the intake gateway at --address). */
const clientCommands: Record<string, (args: string[], defaults: ClientDefaults) => Promise<void>> = {
  upload: runUpload,
  resume: runResume,
  download: runDownload,
  status: runStatus,
  ls: runList,
  versions: runVersions,
  rm: runRemove,
};

async function main(argv: string[]): Promise<void> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    print(USAGE);
  } else if (first in clientCommands) {
    const flushSpans = await startClientTracing(process.env);
    try {
      await clientCommands[first]!(argv.slice(1), defaults);
    } finally {
      await flushSpans();
    }
  } else if (first === 'events' && second === 'tail') {
    await runEventsTail(rest);
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
