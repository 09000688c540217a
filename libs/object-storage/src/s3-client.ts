import { metrics, type Counter } from '@opentelemetry/api';
import { S3Client } from '@aws-sdk/client-s3';
import { requestHandlerOptions, type S3Timeouts } from './s3-timeouts';

export interface S3ClientOptions {
  /** Empty for AWS itself; e.g. http://127.0.0.1:9000 for MinIO. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (MinIO and most S3-compatible stores). */
  forcePathStyle: boolean;
  /** Static credentials; when absent the SDK's default chain applies (env, IRSA, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
  /** How long a connection and a request may take before the attempt fails (and is retried). */
  timeouts: S3Timeouts;
}

/** An S3 client set up for S3-compatible stores: checksums only where the API requires them. */
export function createS3Client(options: S3ClientOptions): S3Client {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    maxAttempts: options.maxAttempts,
    requestHandler: requestHandlerOptions(options.timeouts),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.credentials && { credentials: options.credentials }),
  });
  countRetries(client);
  return client;
}

let retries: Counter | undefined;

/** `tessera_retries_total{operation,outcome}`: the SDK's retries of S3 requests (attempts after the first). */
function countRetries(client: S3Client): void {
  retries ??= metrics.getMeter('tessera.object-storage').createCounter('tessera.retries', {
    description:
      'S3 requests sent again after a transient failure (S3_MAX_ATTEMPTS bounds them), by operation and final outcome',
  });
  const counter = retries;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const record = (attempts: number | undefined, outcome: string) => {
        if (attempts && attempts > 1)
          counter.add(attempts - 1, {
            operation: String(context.commandName).replace(/Command$/, ''),
            outcome,
          });
      };
      try {
        const result = await next(args);
        record((result.output as { $metadata?: { attempts?: number } }).$metadata?.attempts, 'ok');
        return result;
      } catch (error) {
        record((error as { $metadata?: { attempts?: number } }).$metadata?.attempts, 'error');
        throw error;
      }
    },
    { step: 'initialize', name: 'tesseraRetryCounter' },
  );
}
