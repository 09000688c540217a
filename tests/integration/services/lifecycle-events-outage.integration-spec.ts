import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { eventually } from '@tessera/testing';
import { readLifecycleTopic, type ReceivedEvent } from './lifecycle-topic';
import { PrivateKafka } from './private-kafka';
import { startUploadStack, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;
const OUTAGE_MS = 30_000;

describe('no lifecycle event is lost while Kafka is down (a broker of its own, really stopped)', () => {
  let kafka: PrivateKafka;
  let stack: UploadStack;
  let client: Client;

  beforeAll(async () => {
    kafka = await PrivateKafka.start();
    const brokers = { KAFKA_BROKERS: kafka.brokers.join(',') };
    stack = await startUploadStack('outage', {
      repositoryEnv: { ...brokers, OUTBOX_MAX_BACKOFF_MS: '2000' },
      metadataEnv: brokers,
    });
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  }, 120_000);

  afterAll(async () => {
    client.close();
    await stack?.stop();
    await kafka?.remove();
  });

  /** An upload of two chunks, completed: four lifecycle events. */
  async function uploadTwoChunks(): Promise<string> {
    const { uploadId } = await callUnary(client, rpc.initiateUpload, {
      name: `outage-${randomUUID()}.bin`,
      driveId: 'outage',
    });
    for (const chunkNumber of [0n, 1n]) {
      await callUnary(client, rpc.uploadChunk, { chunk: { uploadId, chunkNumber, data: randomBytes(512) } });
    }
    await callUnary(client, rpc.completeUpload, { uploadId, totalChunks: 2n });
    return uploadId;
  }

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${stack.repositoryHttpUrl}/metrics`)).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`));
    return line === undefined ? NaN : Number(line.split(' ').at(-1));
  };

  it('completes 50 uploads with Kafka stopped for 30 s, then delivers every event', async () => {
    const before = await uploadTwoChunks();
    await readLifecycleTopic(kafka.brokers, stack.lifecycleTopic, (got) =>
      got.some((event) => event.event.message.uploadId === before && event.type === 'UploadCompleted'),
    );

    await kafka.halt();
    const stoppedAt = Date.now();
    const during: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      during.push(...(await Promise.all(Array.from({ length: 10 }, uploadTwoChunks))));
    }
    expect(during).toHaveLength(50);
    // Acknowledged uploads, every event of them waiting in the outbox.
    await eventually(async () => expect(await metric('tessera_outbox_pending')).toBe(200), {
      timeoutMs: 10_000,
      intervalMs: 500,
    });
    expect(await metric('tessera_outbox_lag_seconds')).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
    const downForMs = Date.now() - stoppedAt;

    await kafka.resume();
    const expectedIds = (events: ReceivedEvent[]) =>
      new Set(events.filter((event) => during.includes(event.event.message.uploadId)).map((e) => e.eventId));
    const events = await readLifecycleTopic(
      kafka.brokers,
      stack.lifecycleTopic,
      (got) => expectedIds(got).size >= 200,
      90_000,
    );
    expect(downForMs).toBeGreaterThanOrEqual(OUTAGE_MS);
    expect(expectedIds(events).size).toBe(200); // zero lost, counted by event id
    for (const uploadId of during) {
      const kinds = new Set(
        events
          .filter((event) => event.event.message.uploadId === uploadId)
          .map((event) =>
            event.event.type === 'tessera.events.v1.ChunkUploaded'
              ? `ChunkUploaded ${event.event.message.chunkNumber}`
              : event.type,
          ),
      );
      expect([...kinds].sort()).toEqual([
        'ChunkUploaded 0',
        'ChunkUploaded 1',
        'UploadCompleted',
        'UploadInitiated',
      ]);
    }
    await eventually(async () => expect(await metric('tessera_outbox_pending')).toBe(0), {
      timeoutMs: 10_000,
      intervalMs: 500,
    });
  }, 240_000);
});
