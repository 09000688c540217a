import { Kafka, logLevel } from 'kafkajs';
import { stackEndpoints } from '@tessera/testing';

describe('Kafka in KRaft mode (real broker)', () => {
  const kafka = new Kafka({
    clientId: 'smoke',
    brokers: stackEndpoints().kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const topic = `smoke-${Date.now()}`;
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-group` });

  afterAll(async () => {
    await producer.disconnect();
    await consumer.disconnect();
  });

  it('delivers produced messages, keyed and in order, to a consumer', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    await producer.connect();
    await producer.send({
      topic,
      messages: [1, 2, 3].map((n) => ({ key: 'node-1', value: `event-${n}`, headers: { traceparent: 'x' } })),
    });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!.toString());
          if (received.length === 3) resolve();
        },
      });
    });
    expect(received).toEqual(['event-1', 'event-2', 'event-3']);
  });
});
