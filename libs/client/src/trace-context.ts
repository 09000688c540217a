import { randomBytes } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';

/** A new sampled W3C trace for one client operation: its id and the request metadata carrying it. */
export function newTrace(): { traceId: string; metadata: Metadata } {
  const traceId = randomBytes(16).toString('hex');
  const metadata = new Metadata();
  metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
  return { traceId, metadata };
}
