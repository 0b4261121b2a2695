/**
 * AmqpBroker dead-lettering (with reason, never lost, malformed messages too) and delayed delivery
 * (publish with deliverAt, Delivery.defer) through delay queues instead of consumer memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker, deadQueueName, delayQueueName } from '../../src/broker/amqp.js';
import type { MalformedMessage } from '../../src/broker/broker.js';
import {
  AMQP_TEST_URL,
  DeliveryCollector,
  deleteTestQueues,
  holdRabbitMqShared,
  jsonMessage,
  requireRabbitMq,
  testQueueName,
  waitFor,
  withRawChannel,
} from '../helpers/amqp.js';

const queues: string[] = [];
let broker: AmqpBroker;
let release: () => void = () => undefined;

function queue(label: string): string {
  const name = testQueueName(label);
  queues.push(name);
  return name;
}

beforeAll(async () => {
  release = await holdRabbitMqShared();
  await requireRabbitMq();
  broker = new AmqpBroker({ url: AMQP_TEST_URL, publishTimeoutMs: 10_000 });
});

afterAll(async () => {
  await broker?.close();
  await deleteTestQueues(queues).finally(release);
});

describe('AmqpBroker dead-lettering', () => {
  it('moves a rejected message to the dead-letter queue with its reason, and leaves it there when read', async () => {
    const name = queue('dead');
    await broker.publish({ queue: name }, jsonMessage('d-1', { retries: 300 }));
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    const [delivery] = await collector.atLeast(1);
    await delivery!.reject({ requeue: false, reason: 'NotRegistered: tests.add' });
    await consumer.cancel();

    expect(await broker.queueLength(name)).toBe(0);
    const letters = await broker.deadLetters(name);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.queue).toBe(name);
    expect(letters[0]!.reason).toBe('NotRegistered: tests.add');
    const envelope = JSON.parse(letters[0]!.raw) as { body: string; headers: Record<string, unknown>; properties: Record<string, unknown>; 'content-type': string };
    expect(envelope.headers['id']).toBe('d-1');
    expect(envelope.headers['retries']).toBe(300);
    expect(envelope['content-type']).toBe('application/json');
    expect(envelope.properties['correlation_id']).toBe('d-1');
    expect(JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8'))).toEqual([[1, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    // Reading is not destructive.
    expect(await broker.deadLetters(name)).toHaveLength(1);
    expect(await broker.queueLength(deadQueueName(name))).toBe(1);
  });

  it('keeps dead letters in order (newest last) and returns [] for a queue without any', async () => {
    const name = queue('dead_order');
    expect(await broker.deadLetters(name)).toEqual([]);
    await broker.publishBatch([1, 2, 3].map((i) => ({ target: { queue: name }, message: jsonMessage(`o-${i}`) })));
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: (d) => void d.reject({ requeue: false, reason: `reason ${String(d.message.headers['id'])}` }).then(() => collector.onMessage(d)) });
    await collector.atLeast(3);
    await consumer.cancel();
    expect((await broker.deadLetters(name)).map((letter) => letter.reason)).toEqual(['reason o-1', 'reason o-2', 'reason o-3']);
  });

  it('dead-letters a message it cannot parse and reports it through onMalformed', async () => {
    const name = queue('malformed');
    await broker.publish({ queue: name }, jsonMessage('warmup')); // declares the queue
    await broker.purge(name);
    await withRawChannel(async (channel) => {
      channel.sendToQueue(name, Buffer.from('no content type'), { headers: { id: 'bad-1' } });
      await waitFor(async () => (await channel.checkQueue(name)).messageCount === 1, 5_000, 'raw message');
    });
    const malformed: MalformedMessage[] = [];
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: collector.onMessage, onMalformed: (m) => malformed.push(m) });
    await waitFor(() => malformed.length === 1, 5_000, 'onMalformed');
    await consumer.cancel();
    expect(collector.deliveries).toHaveLength(0);
    expect(malformed[0]!.queue).toBe(name);
    expect(malformed[0]!.reason).toBe('missing-content-type');
    const [letter] = await broker.deadLetters(name);
    expect(letter!.reason).toMatch(/missing-content-type/);
    const envelope = JSON.parse(letter!.raw) as { body: string; headers: Record<string, unknown> };
    expect(Buffer.from(envelope.body, 'base64').toString('utf8')).toBe('no content type');
    expect(envelope.headers['id']).toBe('bad-1');
  });
});

describe('AmqpBroker delayed delivery', () => {
  it('publishes with deliverAt: not delivered before it is due, then delivered without transport headers', async () => {
    const name = queue('delay_publish');
    const deliverAt = Date.now() + 400;
    await broker.publish({ queue: name, deliverAt }, jsonMessage('late-1'));
    expect(await broker.queueLength(name)).toBe(0); // parked in a delay queue, not in the task queue
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    const [delivery] = await collector.atLeast(1);
    const receivedAt = Date.now();
    expect(receivedAt).toBeGreaterThanOrEqual(deliverAt);
    expect(delivery!.message.headers['id']).toBe('late-1');
    expect(Object.keys(delivery!.message.headers).filter((key) => key.startsWith('x-'))).toEqual([]);
    await delivery!.ack();
    await consumer.cancel();
  });

  it('defers a delivery: acked now, delivered again when due, never held by the consumer meanwhile', async () => {
    const name = queue('defer');
    await broker.publish({ queue: name }, jsonMessage('defer-1'));
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    const [first] = await collector.atLeast(1);
    const deliverAt = Date.now() + 1_100;
    await first!.defer(deliverAt);
    // Settled and parked in the 1024 ms delay queue, not in the task queue nor in consumer memory.
    expect(await broker.queueLength(name)).toBe(0);
    expect(await broker.queueLength(delayQueueName(name, 1_024))).toBe(1);
    const [, second] = await collector.atLeast(2);
    expect(Date.now()).toBeGreaterThanOrEqual(deliverAt);
    expect(second!.message.headers['id']).toBe('defer-1');
    expect(second!.message.properties['correlation_id']).toBe('defer-1');
    await second!.ack();
    await consumer.cancel();
  });

  it('parks a long delay in the largest power-of-two bucket that fits', async () => {
    const name = queue('delay_bucket');
    await broker.publish({ queue: name, deliverAt: Date.now() + 600_000 }, jsonMessage('bucket-1'));
    const bucket = 2 ** 19; // 524288 ms ≤ 600000 ms < 2^20
    await withRawChannel(async (channel) => {
      expect((await channel.checkQueue(delayQueueName(name, bucket))).messageCount).toBe(1);
      // The delay queue dead-letters into the task queue after its TTL.
      await expect(
        channel.assertQueue(delayQueueName(name, bucket), { durable: true, messageTtl: bucket, deadLetterExchange: '', deadLetterRoutingKey: name }),
      ).resolves.toMatchObject({ messageCount: 1 });
    });
  });

  it('delivers at once when deliverAt is in the past', async () => {
    const name = queue('delay_past');
    await broker.publish({ queue: name, deliverAt: Date.now() - 1_000 }, jsonMessage('past-1'));
    expect(await broker.queueLength(name)).toBe(1);
  });
});
