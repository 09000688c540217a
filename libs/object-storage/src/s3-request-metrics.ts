import { metrics, type Histogram } from '@opentelemetry/api';
import type { TesseraError } from '@tessera/errors';
import { toStorageError } from './s3-error';

let requestDuration: Histogram | undefined;

/**
 * `tessera_s3_request_duration_seconds{operation,outcome}`: until S3 answered — for GetObject, until
 * the body starts (its bytes then stream to the reader).
 */
function recordS3Request(operation: string, outcome: string, startedAt: number): void {
  requestDuration ??= metrics
    .getMeter('tessera.object-storage')
    .createHistogram('tessera.s3.request.duration', {
      unit: 's',
      description: 'Duration of S3 requests (part writes, ranged reads, ...) by operation and outcome',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    });
  requestDuration.record((performance.now() - startedAt) / 1000, { operation, outcome });
}

/** Sends one S3 request, recording its duration; a failure becomes a TesseraError (s3-error.ts). */
export async function meteredS3Call<T>(operation: string, key: string, send: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    const output = await send();
    recordS3Request(operation, 'ok', startedAt);
    return output;
  } catch (error) {
    const failure: TesseraError = toStorageError(error, operation, key);
    recordS3Request(operation, failure.code, startedAt);
    throw failure;
  }
}
