import { parseArgs } from 'node:util';
import { latencyLabLines, runLatencyLab } from './latency-lab';

const USAGE = `usage: tessera-lab latency --s3 <ms> [options]   (inside a Tessera checkout, after make build)

  latency           run the services with S3 behind Toxiproxy, upload and download before and after
                    injecting latency, and report from the traces where the time went
    --s3 <ms>                   latency added to every S3 connection (required)
    --error-rate <0-1>          share of S3 connections reset (default 0)
    --size-kib <n>              file size (default 64), --chunk-kib <n> (default 64)
    --rounds <n>                uploads and downloads per phase (default 5)
    --jaeger <url>              Jaeger query (TESSERA_JAEGER_URL, http://127.0.0.1:16686)
    --json                      the report as JSON`;

class UsageError extends Error {}

function positive(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} must be a positive number`);
  return number;
}

async function runLab(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      s3: { type: 'string' },
      'error-rate': { type: 'string', default: '0' },
      'size-kib': { type: 'string', default: '64' },
      'chunk-kib': { type: 'string', default: '64' },
      rounds: { type: 'string', default: '5' },
      jaeger: { type: 'string', default: process.env['TESSERA_JAEGER_URL'] ?? 'http://127.0.0.1:16686' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.s3 === undefined) throw new UsageError('latency needs --s3 <ms>');
  const errorRate = Number(values['error-rate']);
  if (!(errorRate >= 0 && errorRate < 1)) throw new UsageError('--error-rate must be at least 0 and below 1');
  const report = await runLatencyLab(
    {
      s3LatencyMs: positive('s3', values.s3),
      errorRate,
      fileBytes: positive('size-kib', values['size-kib']) * 1024,
      chunkBytes: positive('chunk-kib', values['chunk-kib']) * 1024,
      rounds: positive('rounds', values.rounds),
      jaegerUrl: values.jaeger,
    },
    (line) => console.error(line),
  );
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else latencyLabLines(report).forEach((line) => console.log(line));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') console.log(USAGE);
  else if (command === 'latency') await runLab(rest);
  else throw new UsageError(`unknown command: ${argv.join(' ')}`);
}

main(process.argv.slice(2)).then(
  () => (process.exitCode = 0),
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const usage =
      error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    console.error(`tessera-lab: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
